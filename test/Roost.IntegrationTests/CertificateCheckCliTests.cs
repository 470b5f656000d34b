using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost cert check</c> and <c>roost serve</c> as real processes: the same findings, one per line, the documented exit
/// codes (0 no errors, 5 certificate invalid), and serve refusing to start on errors before it binds.
/// </summary>
public sealed class CertificateCheckCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);


    [Fact]
    public async Task CertCheck_ValidChain_PrintsOkLines_AndExitsZero()
    {
        using var chain = TestCertificates.CreateChain();

        var (code, output) = await RoostCli.RunAsync(["cert", "check", "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--ca", chain.RootPath, "--host", "localhost"], Timeout);

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("ok: ", l, StringComparison.Ordinal));
        Assert.Contains($"ok: Host name 'localhost' (option --host) is covered by certificate '{chain.LeafPath}' (option --cert) (subject alternative name 'localhost').", lines);
    }

    [Fact]
    public async Task MissingIntermediate_CertCheckExits5_AndServeRefusesWithTheSameLine()
    {
        using var chain = TestCertificates.CreateChain();
        var expected = $"error: Certificate '{chain.LeafPath}' (option --cert) (subject 'CN=localhost', serial {chain.Leaf.SerialNumber}) was issued by 'CN=Roost Test Intermediate CA', but that certificate was not given: the intermediate is missing, and clients that trust only the root cannot verify the server. Pass the intermediate certificate(s) from your CA with --ca (often 'chain.pem', 'ca-bundle.crt' or the second certificate of 'fullchain.pem').";

        var (checkCode, checkOutput) = await RoostCli.RunAsync(["cert", "check", "--cert", chain.LeafPath, "--key", chain.KeyPath], Timeout);
        var port = FreePort.Get();
        var (serveCode, serveOutput) = await RoostCli.RunAsync(["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--cert", chain.LeafPath, "--key", chain.KeyPath], Timeout);

        Assert.Equal(5, checkCode);
        Assert.Contains(expected, checkOutput.Split('\n'));
        Assert.Equal(5, serveCode);
        Assert.Contains(expected, serveOutput.Split('\n'));
        Assert.DoesNotContain("Roost is serving", serveOutput, StringComparison.Ordinal);
    }
}
