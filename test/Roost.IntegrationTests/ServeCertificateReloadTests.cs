using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost serve --workers 0</c> (one process) reloads its certificate on SIGHUP (here with --no-watch, so only the signal can trigger it),
/// logs the swap with both serial numbers, and reports a bad file while the old certificate keeps serving.
/// </summary>
public sealed class ServeCertificateReloadTests
{
    private const int SigHup = 1;

    [Fact]
    public async Task Sighup_ReloadsRenewedFiles_AndRejectsABadOne()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var serve = RoostCli.Start(
            ["serve", "--workers", "0", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--no-watch",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--ca", chain.RootPath]);
        await serve.WaitForLineAsync("Roost is serving", TimeSpan.FromSeconds(30));
        using var renewed = chain.Renew();
        File.WriteAllText(chain.KeyPath, TestCertificates.KeyPem(renewed));
        File.WriteAllText(chain.LeafPath, TestCertificates.Pem(renewed));

        using (var before = await TlsProbe.GetServerCertificateAsync(port, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(chain.Leaf.SerialNumber, before.SerialNumber);
        }

        await SignalUntilAsync(serve, $"serial {chain.Leaf.SerialNumber} replaced by {renewed.SerialNumber}");
        using (var after = await TlsProbe.GetServerCertificateAsync(port, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(renewed.SerialNumber, after.SerialNumber);
        }

        File.WriteAllText(chain.LeafPath, string.Empty);
        await SignalUntilAsync(serve, $"reload rejected; still serving serial {renewed.SerialNumber}");
        using (var still = await TlsProbe.GetServerCertificateAsync(port, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(renewed.SerialNumber, still.SerialNumber);
        }

        Assert.False(serve.HasExited);
    }

    // Verifies: started with SIGHUP ignored, as nohup starts programs, the one process still reloads its certificate on
    // SIGHUP (before, the inherited SIG_IGN kept .NET's handler from ever running).
    [Fact]
    public async Task Sighup_InheritedAsIgnored_StillReloadsRenewedFiles()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var serve = RoostCli.StartWithIgnoredSignals(["HUP"],
            ["serve", "--workers", "0", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--no-watch",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath]);
        await serve.WaitForLineAsync("Roost is serving", TimeSpan.FromSeconds(30));
        using var renewed = chain.Renew();
        File.WriteAllText(chain.KeyPath, TestCertificates.KeyPem(renewed));
        File.WriteAllText(chain.LeafPath, TestCertificates.Pem(renewed));

        await SignalUntilAsync(serve, $"serial {chain.Leaf.SerialNumber} replaced by {renewed.SerialNumber}");
        using var after = await TlsProbe.GetServerCertificateAsync(port, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(renewed.SerialNumber, after.SerialNumber);
    }

    /// <summary>
    /// Sends SIGHUP until the expected line appears (30 s at most). A reload request is idempotent; repeating it covers
    /// a loaded CI machine where the first reload's log line comes late, without loosening what is asserted.
    /// </summary>
    private static async Task SignalUntilAsync(TestProcess serve, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            serve.Signal(SigHup);
            try
            {
                await serve.WaitForLineAsync(expected, TimeSpan.FromSeconds(5));
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // Not yet: ask again.
            }
        }
    }
}
