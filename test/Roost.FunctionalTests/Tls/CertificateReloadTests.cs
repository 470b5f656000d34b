using System.Security.Cryptography.X509Certificates;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>
/// Hot reload of the served certificate in a real server: on demand, on file changes of each renewal pattern
/// (in-place write, atomic rename, certbot's symlink swap, certificate written before its key), and a bad file that
/// is reported while the old certificate keeps serving.
/// </summary>
public sealed class CertificateReloadTests : IAsyncLifetime
{
    private readonly TestChain _chain = TestCertificates.CreateChain();
    private HttpServer? _server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _chain.Dispose();
    }

    [Fact]
    public async Task ReloadCertificatesAsync_SwapsToTheRenewedCertificate_OpenConnectionsKeepWorking()
    {
        await StartAsync(_chain.ServerOptions(allowHttp1: true), watch: false);
        using var client = TestClients.TrustingOnly(_chain.Root);
        var url = $"https://localhost:{_server!.Port}/";
        Assert.Equal("ok", await client.GetStringAsync(url, Token));
        using var renewed = _chain.Renew();
        WritePair(_chain.LeafPath, _chain.KeyPath, renewed);

        var result = await _server.ReloadCertificatesAsync(Token);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(CertificateReloadStatus.Reloaded, outcome.Status);
        Assert.Equal(_chain.Leaf.SerialNumber, outcome.OldSerialNumber);
        Assert.Equal(renewed.SerialNumber, outcome.NewSerialNumber);
        using var served = await TlsProbe.GetServerCertificateAsync(_server.Port, cancellationToken: Token);
        Assert.Equal(renewed.SerialNumber, served.SerialNumber);

        // The pooled connection (old certificate) is untouched.
        Assert.Equal("ok", await client.GetStringAsync(url, Token));
        Assert.Equal(CertificateReloadStatus.Unchanged, Assert.Single((await _server.ReloadCertificatesAsync(Token)).Outcomes).Status);
    }

    [Fact]
    public async Task BadFile_IsRejectedAndReported_OldCertificateKeepsServing()
    {
        var options = _chain.ServerOptions();
        options.CertificateReloadSettleTime = TimeSpan.FromMilliseconds(300);
        await StartAsync(options, watch: false);
        File.WriteAllText(_chain.LeafPath, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        List<CertificateReloadOutcome> events = [];
        _server!.CertificateReloaded += (_, e) => events.Add(e.Outcome);

        var result = await _server.ReloadCertificatesAsync(Token);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(CertificateReloadStatus.Rejected, outcome.Status);
        Assert.StartsWith($"TLS input '{_chain.LeafPath}' (option Cert) does not hold a certificate", Assert.Single(outcome.Findings).Message, StringComparison.Ordinal);
        Assert.Equal(outcome, Assert.Single(events));
        using var served = await TlsProbe.GetServerCertificateAsync(_server.Port, cancellationToken: Token);
        Assert.Equal(_chain.Leaf.SerialNumber, served.SerialNumber);
    }

    [Fact]
    public async Task ExpiredRenewal_IsRejectedByTheCheck()
    {
        await StartAsync(_chain.ServerOptions(), watch: false);
        using var expired = CertificateChainFactory.CreateSigned(_chain.Intermediate, new GeneratedCertificateSpec { NotAfter = DateTimeOffset.UtcNow.AddMinutes(-5) });
        WritePair(_chain.LeafPath, _chain.KeyPath, expired);

        var outcome = Assert.Single((await _server!.ReloadCertificatesAsync(Token)).Outcomes);

        Assert.Equal(CertificateReloadStatus.Rejected, outcome.Status);
        Assert.Equal(CertificateFindingCodes.Expired, Assert.Single(outcome.Findings).Code);
        using var served = await TlsProbe.GetServerCertificateAsync(_server.Port, cancellationToken: Token);
        Assert.Equal(_chain.Leaf.SerialNumber, served.SerialNumber);
    }

    [Fact]
    public async Task Watch_AtomicRename_IsServedWithin2Seconds()
    {
        await StartAsync(_chain.ServerOptions(), watch: true);
        using var renewed = _chain.Renew();

        // Key first, then certificate: each an atomic rename of a complete temporary file.
        File.WriteAllText(_chain.KeyPath + ".tmp", TestCertificates.KeyPem(renewed));
        File.WriteAllText(_chain.LeafPath + ".tmp", TestCertificates.Pem(renewed));
        File.Move(_chain.KeyPath + ".tmp", _chain.KeyPath, overwrite: true);
        File.Move(_chain.LeafPath + ".tmp", _chain.LeafPath, overwrite: true);

        var elapsed = await TlsProbe.WaitForSerialAsync(_server!.Port, renewed.SerialNumber, TimeSpan.FromSeconds(2));
        TestContext.Current.TestOutputHelper?.WriteLine($"new serial after {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Watch_TwoStepWrite_CertificateBeforeKey_WaitsForTheKey()
    {
        var options = _chain.ServerOptions();
        options.CertificateReloadSettleTime = TimeSpan.FromSeconds(5);
        await StartAsync(options, watch: true);
        List<CertificateReloadOutcome> events = [];
        _server!.CertificateReloaded += (_, e) => { lock (events) { events.Add(e.Outcome); } };
        using var renewed = _chain.Renew();

        File.WriteAllText(_chain.LeafPath, TestCertificates.Pem(renewed));
        await Task.Delay(700, Token);
        using (var stillOld = await TlsProbe.GetServerCertificateAsync(_server.Port, cancellationToken: Token))
        {
            Assert.Equal(_chain.Leaf.SerialNumber, stillOld.SerialNumber);
        }

        File.WriteAllText(_chain.KeyPath, TestCertificates.KeyPem(renewed));

        await TlsProbe.WaitForSerialAsync(_server.Port, renewed.SerialNumber, TimeSpan.FromSeconds(2));
        lock (events)
        {
            Assert.DoesNotContain(events, e => e.Status == CertificateReloadStatus.Rejected);
        }
    }

    [Fact]
    public async Task Watch_CertbotSymlinkSwap_IsFollowed()
    {
        // certbot's layout: live/<name>/{cert,privkey,chain}.pem are symlinks into archive/<name>/ with numbered files.
        var root = _chain.Directory;
        var archive = Directory.CreateDirectory(root.File("archive")).FullName;
        var live = Directory.CreateDirectory(root.File("live")).FullName;
        File.WriteAllText(Path.Combine(archive, "cert1.pem"), TestCertificates.Pem(_chain.Leaf));
        File.WriteAllText(Path.Combine(archive, "privkey1.pem"), TestCertificates.KeyPem(_chain.Leaf));
        File.WriteAllText(Path.Combine(archive, "chain1.pem"), TestCertificates.Pem(_chain.Intermediate));
        foreach (var name in new[] { "cert", "privkey", "chain" })
        {
            File.CreateSymbolicLink(Path.Combine(live, name + ".pem"), Path.Combine("..", "archive", name + "1.pem"));
        }

        var options = SecureServerOptions.FromFiles(Path.Combine(live, "cert.pem"), Path.Combine(live, "privkey.pem"), Path.Combine(live, "chain.pem"));
        options.HandleShutdownSignals = false;
        await StartAsync(options, watch: true);
        using var renewed = _chain.Renew();
        File.WriteAllText(Path.Combine(archive, "cert2.pem"), TestCertificates.Pem(renewed));
        File.WriteAllText(Path.Combine(archive, "privkey2.pem"), TestCertificates.KeyPem(renewed));
        File.WriteAllText(Path.Combine(archive, "chain2.pem"), TestCertificates.Pem(_chain.Intermediate));

        // Re-point each link (certbot unlinks and recreates them, one after the other).
        foreach (var name in new[] { "cert", "privkey", "chain" })
        {
            var link = Path.Combine(live, name + ".pem");
            File.Delete(link);
            File.CreateSymbolicLink(link, Path.Combine("..", "archive", name + "2.pem"));
        }

        await TlsProbe.WaitForSerialAsync(_server!.Port, renewed.SerialNumber, TimeSpan.FromSeconds(2));
    }

    private async Task StartAsync(SecureServerOptions options, bool watch)
    {
        options.WatchCertificateFiles = watch;
        options.HandleShutdownSignals = false;
        _server = Http2.CreateSecureServer(options, (_, res) => res.End("ok"));
        await _server.ListenAsync(0, "127.0.0.1", Token);
    }

    private static void WritePair(string certPath, string keyPath, X509Certificate2 certificate)
    {
        File.WriteAllText(keyPath, TestCertificates.KeyPem(certificate));
        File.WriteAllText(certPath, TestCertificates.Pem(certificate));
    }
}
