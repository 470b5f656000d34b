using System.Text;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// Runs the seed's first two programs (samples/Seed.Https, samples/Seed.Http2) as a reader of their README would:
/// make-certs.sh writes ./ssl into a fresh folder, the built sample starts there as a real process with PORT set,
/// prints the note's Korean log line, serves the seed body byte-exact to curl trusting only new_rootca.cer (so the
/// intermediate must be sent in the handshake), speaks HTTP/2 for the http2 program, stays alive after Listen, and
/// exits with code 0 on SIGTERM.
/// </summary>
public sealed class SeedSampleTests
{
    private const int SigTerm = 15;
    private static readonly byte[] SeedBody = Encoding.UTF8.GetBytes("<h1>hello Node</h1><p>hello server!</p>");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("Seed.Https", false, "1.1")]
    [InlineData("Seed.Http2", true, "2")]
    public async Task SeedSample_FetchedWithCurlTrustingOnlyTheRoot_ServesSeedBodyAndExitsZeroOnSigterm(string sample, bool http2, string expectedVersion)
    {
        var bash = ExternalTool.Require("bash", "bash");
        ExternalTool.Require("openssl", "openssl");
        var dll = RepoPaths.ProjectDll("samples", sample);
        Assert.True(File.Exists(dll), $"'{dll}' is missing: build the solution first (dotnet build Roost.slnx -c {RepoPaths.Configuration}).");
        using var workDir = new TempDirectory("roost-seed");

        var (certExit, certOutput) = await TestProcess.RunAsync(bash, [RepoPaths.Combine("samples", sample, "make-certs.sh")],
            TimeSpan.FromSeconds(60), workingDirectory: workDir.Path);
        Assert.True(certExit == 0, $"make-certs.sh exited with code {certExit}:\n{certOutput}");

        var port = FreePort.Get();
        await using var process = TestProcess.StartDotnet(dll, [], workingDirectory: workDir.Path,
            environment: new Dictionary<string, string?> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await process.WaitForLineAsync($"{port}포트 대기중", StartTimeout);

        var result = await Curl.GetAsync($"https://localhost:{port}/", Path.Combine(workDir.Path, "ssl", "new_rootca.cer"), http2);

        Assert.Equal(SeedBody, result.Body);
        Assert.Equal(expectedVersion, result.HttpVersion);
        Assert.False(process.HasExited, $"{sample} must stay alive after Listen, as a Node program does.");

        process.Signal(SigTerm);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
