using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// `roost serve` as a user runs it: a real process with the embedded defaults (development chain, welcome page),
/// fetched with curl trusting only the development root, stopped with SIGTERM.
/// </summary>
public sealed partial class RoostServeTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);


    [Fact]
    public async Task Serve_NoCertificateGiven_ServesWelcomePageOverH2AndHttp11WithDevelopmentChain()
    {
        var curl = ExternalTool.Require("curl", "curl");
        var openssl = ExternalTool.Require("openssl", "openssl");
        using var dir = new TempDirectory();
        var certDir = Path.Combine(dir.Path, "dev-certs");
        await using var roost = RoostCli.Start(["serve", "--port", "0", "--host", "127.0.0.1"],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = certDir });

        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value);
        await roost.WaitForLineAsync($"curl --cacert {certDir}/root-ca.pem", StartTimeout);

        var root = Path.Combine(certDir, "root-ca.pem");
        var h2 = await TestProcess.RunAsync(curl, ["-sS", "--http2", "--cacert", root, "-o", "-", "-w", "\n%{http_version}", $"https://127.0.0.1:{port}/"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, h2.ExitCode);
        Assert.Contains("Roost is running", h2.Output);
        Assert.Contains("HTTP/2", h2.Output);
        Assert.EndsWith("\n2", h2.Output);

        var h1 = await TestProcess.RunAsync(curl, ["-sS", "--http1.1", "--cacert", root, "-o", "-", "-w", "\n%{http_version}", $"https://localhost:{port}/healthz"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, h1.ExitCode);
        Assert.Equal("ok\n\n1.1", h1.Output);

        // The intermediate travels in the handshake; the root does not.
        var sClient = await TestProcess.RunAsync("bash", ["-c", $"echo | {openssl} s_client -connect 127.0.0.1:{port} -servername localhost -showcerts 2>/dev/null"], TimeSpan.FromSeconds(30));
        Assert.Contains("s:CN = Roost Development Intermediate CA", sClient.Output);
        Assert.DoesNotContain("s:CN = Roost Development Root CA", sClient.Output);

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serve_SecondRun_ReusesTheDevelopmentChain()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = Path.Combine(dir.Path, "dev-certs") };
        await using (var first = RoostCli.Start(["serve", "--port", "0", "--host", "127.0.0.1"], environment: env))
        {
            await first.WaitForLineAsync("Created a development certificate chain", StartTimeout);
        }

        await using var second = RoostCli.Start(["serve", "--port", "0", "--host", "127.0.0.1"], environment: env);
        await second.WaitForLineAsync("Using the development certificate chain", StartTimeout);
    }

    [Fact]
    public async Task Serve_PortInUse_ExitsWithListenFailedAndSaysWhatToDo()
    {
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        using var dir = new TempDirectory();
        await using var roost = RoostCli.Start(["serve", "--port", port.ToString()],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = Path.Combine(dir.Path, "dev-certs") });

        Assert.Equal(6, await roost.WaitForExitAsync(StartTimeout));
        Assert.Contains($"error: Cannot listen on 0.0.0.0:{port}: the address is already in use. Stop the other process or choose another port with --port.", roost.Output);
    }

    [Fact]
    public async Task Serve_MissingKeyFile_ExitsWithCertificateInvalidNamingTheFile()
    {
        using var chain = TestCertificates.CreateChain();
        await using var roost = RoostCli.Start(
            ["serve", "--port", "0", "--cert", chain.LeafPath, "--key", "missing/site.key"]);

        Assert.Equal(5, await roost.WaitForExitAsync(StartTimeout));
        Assert.Contains("error: TLS file 'missing/site.key' (option --key) does not exist.", roost.Output);
    }

    [GeneratedRegex(@":(\d+)/")]
    private static partial Regex PortPattern();
}
