using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// <c>roost serve --domain</c> against a real ACME CA (Debian's pebble, on loopback): first issuance over HTTP-01 for
/// several names, restart without a new order, a challenge that fails, an unreachable CA and the names' lock.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AcmeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] ServeArguments(PebbleServer pebble, string acmeDir, int port, string workers, params string[] names) =>
        ServeArguments(pebble, acmeDir, port, workers, ["--acme-http-port", pebble.HttpChallengePort.ToString(CultureInfo.InvariantCulture)], names);

    private static string[] ServeArguments(PebbleServer pebble, string acmeDir, int port, string workers, string[] challenge, string[] names) =>
        ["serve", "--workers", workers, "--no-hot-spare", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--shutdown-timeout", "5",
         "--acme-ca", pebble.DirectoryUrl, "--acme-ca-cert", pebble.TrustPath, .. challenge,
         "--acme-agree-tos", "--acme-email", "ops@roost.test", "--acme-dir", acmeDir, .. names.SelectMany(n => new[] { "--domain", n })];

    // Verifies: a cluster primary obtains one certificate for two names over HTTP-01 before its worker starts; the
    // worker serves it (h2 200 to a client trusting only pebble's root); keys and folders are private; the HTTP-01
    // port redirects other requests to HTTPS; a restart reuses the stored account and certificate without a new order;
    // then, with a third name whose challenge cannot pass, the error line names the name, the challenge type and
    // the CA's problem type and detail, the old certificate keeps serving and nothing crashes.
    [Fact]
    public async Task Domain_IssuesOverHttp01_RestartReuses_FailedChallengeKeepsOldCertificate()
    {
        await using var pebble = await PebbleServer.StartAsync();
        using var state = new TempDirectory("roost-acme");
        var port = FreePort.Get();
        string serial;
        await using (var first = RoostCli.Start(ServeArguments(pebble, state.Path, port, "1", "www.roost.test", "roost.test")))
        {
            await first.WaitForLineAsync("Roost is serving", Timeout);
            Assert.Contains(first.Lines, l => l.Contains("ACME account", StringComparison.Ordinal) && l.Contains("created", StringComparison.Ordinal));
            await first.WaitForLineAsync("is ready: listening", Timeout);

            using var served = await TlsProbe.GetServerCertificateAsync(port, "roost.test", Ct);
            serial = served.SerialNumber;
            Assert.StartsWith("CN=Pebble Intermediate CA", served.Issuer, StringComparison.Ordinal);
            Assert.Equal(["www.roost.test", "roost.test"], served.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());

            using var client = TrustingClient(await pebble.GetIssuingChainPemAsync(), port);
            using var response = await client.GetAsync($"https://www.roost.test:{port}/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);

            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            using var redirect = await http.GetAsync($"http://127.0.0.1:{pebble.HttpChallengePort}/page?x=1", Ct);
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal($"https://127.0.0.1:{port}/page?x=1", redirect.Headers.Location?.ToString());

            var folder = Directory.GetDirectories(state.Path).Single();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "account.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "www.roost.test", "key.pem")));

            first.Signal(15);
            Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        }

        await using (var second = RoostCli.Start(ServeArguments(pebble, state.Path, port, "0", "www.roost.test", "roost.test")))
        {
            await second.WaitForLineAsync("Roost is serving", Timeout);
            Assert.Contains(second.Lines, l => l.Contains($"(serial {serial}", StringComparison.Ordinal) && l.Contains("reused from", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Lines, l => l.Contains("ACME order", StringComparison.Ordinal) || l.Contains("ACME account", StringComparison.Ordinal));
            using var served = await TlsProbe.GetServerCertificateAsync(port, "roost.test", Ct);
            Assert.Equal(serial, served.SerialNumber);
            second.Signal(15);
            Assert.Equal(0, await second.WaitForExitAsync(Timeout));
        }

        // bad.roost.test resolves to 127.0.0.2, where nothing listens (roost's HTTP-01 listener is on 127.0.0.1).
        await pebble.AddARecordAsync("bad.roost.test", "127.0.0.2");
        await using var third = RoostCli.Start(ServeArguments(pebble, state.Path, port, "0", "www.roost.test", "roost.test", "bad.roost.test"));
        var error = await third.WaitForLineAsync("not obtained", Timeout);
        Assert.Contains("The CA could not validate 'bad.roost.test' with http-01", error, StringComparison.Ordinal);
        Assert.Contains("urn:ietf:params:acme:error:connection", error, StringComparison.Ordinal);
        Assert.Contains("Check that 'bad.roost.test' resolves", error, StringComparison.Ordinal);
        Assert.Contains($"still serving serial {serial}", error, StringComparison.Ordinal);
        await third.WaitForLineAsync("Roost is serving", Timeout);
        using (var still = await TlsProbe.GetServerCertificateAsync(port, "roost.test", Ct))
        {
            Assert.Equal(serial, still.SerialNumber);
        }

        Assert.False(third.HasExited);

        var (statusCode, status) = await RoostCli.RunAsync(["cert", "status", "--acme-dir", state.Path], Timeout);
        Assert.Equal(1, statusCode);
        Assert.Contains("www.roost.test, roost.test, bad.roost.test", status, StringComparison.Ordinal);
        Assert.Contains($"serial:       {serial}", status, StringComparison.Ordinal);
        Assert.Contains("issuer:       CN=Pebble Intermediate CA", status, StringComparison.Ordinal);
        Assert.Contains("(attempt 1): The CA could not validate 'bad.roost.test'", status, StringComparison.Ordinal);
    }

    // Verifies: with the CA unreachable, roost logs each failed attempt with the URL and retries with growing
    // back-off (attempt 1, then 2) without exiting, and says that nothing is served (the port stays closed); a second
    // instance for the same names and folder is refused (the lock) with a message naming the holder's pid; with
    // --acme-fallback dev a third instance serves the development chain meanwhile, and cert status says so.
    [Fact]
    public async Task Domain_CaUnreachable_RetriesWithBackoff_SecondInstanceIsLockedOut_FallbackServesDevChain()
    {
        var closed = FreePort.Get();
        using var state = new TempDirectory("roost-acme");
        string[] Arguments(int port) =>
        [
            "serve", "--workers", "0", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
            "--acme-ca", $"https://127.0.0.1:{closed}/dir", "--acme-http-port", "0", "--acme-agree-tos", "--acme-dir", state.Path, "--domain", "down.roost.test",
        ];
        var port = FreePort.Get();
        await using var roost = RoostCli.Start(Arguments(port));
        var first = await roost.WaitForLineAsync("(attempt 1)", Timeout);
        Assert.Contains($"Cannot reach the ACME server at 'https://127.0.0.1:{closed}/dir'", first, StringComparison.Ordinal);
        Assert.Contains("Check --acme-ca, DNS and the network", first, StringComparison.Ordinal);
        Assert.Contains("no certificate to serve yet: nothing is served until one is issued (--acme-fallback dev", first, StringComparison.Ordinal);
        await roost.WaitForLineAsync("(attempt 2)", Timeout);
        // The port answers only acme-tls/1 (the first-start TLS-ALPN-01 responder): an ordinary client gets no handshake.
        await Assert.ThrowsAnyAsync<Exception>(async () => (await TlsProbe.GetServerCertificateAsync(port, "down.roost.test", Ct)).Dispose());

        var (code, output) = await RoostCli.RunAsync(Arguments(FreePort.Get()), Timeout);
        Assert.Equal(6, code);
        Assert.Contains($"Another roost (pid {roost.Pid}) already manages the certificate for 'down.roost.test'", output, StringComparison.Ordinal);
        Assert.Contains("Stop it, or give this instance other --domain names or another --acme-dir.", output, StringComparison.Ordinal);
        Assert.False(roost.HasExited);

        using var devCerts = new TempDirectory("roost-dev-certs");
        var fallbackPort = FreePort.Get();
        await using var fallback = RoostCli.Start(
            [
                "serve", "--workers", "0", "--port", fallbackPort.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
                "--acme-ca", $"https://127.0.0.1:{closed}/dir", "--acme-http-port", "0", "--acme-agree-tos", "--acme-dir", state.Path,
                "--domain", "fallback.roost.test", "--acme-fallback", "dev",
            ],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = devCerts.Path });
        await fallback.WaitForLineAsync("Roost is serving", Timeout);
        Assert.Contains(fallback.Lines, l => l.Contains("serving the development chain", StringComparison.Ordinal) && l.Contains("--acme-fallback dev", StringComparison.Ordinal));
        using (var served = await TlsProbe.GetServerCertificateAsync(fallbackPort, "fallback.roost.test", Ct))
        {
            Assert.Equal("CN=Roost Development Intermediate CA", served.Issuer);
        }

        var failed = await fallback.WaitForLineAsync("(attempt 1)", Timeout);
        Assert.Contains("serving the development chain until then", failed, StringComparison.Ordinal);
        var (statusCode, status) = await RoostCli.RunAsync(["cert", "status", "--acme-dir", state.Path], Timeout);
        Assert.Equal(1, statusCode);
        Assert.Contains("serving:      the development chain", status, StringComparison.Ordinal);
    }

    // Verifies: over TLS-ALPN-01 only (no port-80 listener; the serving port is pebble's TLS-ALPN port), the first
    // certificate is issued before the worker starts (the primary answers acme-tls/1 on the serving port itself), and
    // a short-lived certificate (pebble issues it for 24 s) is renewed at about two thirds of its lifetime with the
    // challenge answered by the worker (the certificate travels over IPC) and swapped in while h2 (one connection,
    // multiplexed) and HTTP/1.1 (a new TLS connection per request) load runs: 0 failed or refused requests, and new
    // handshakes get the new serial.
    [Fact]
    public async Task Domain_TlsAlpn01_FirstIssuanceAndRenewalUnderLoad_WithoutFailedRequests()
    {
        await using var pebble = await PebbleServer.StartAsync(validitySeconds: 24);
        using var state = new TempDirectory("roost-acme");
        var port = pebble.TlsChallengePort;
        await using var roost = RoostCli.Start(ServeArguments(pebble, state.Path, port, "1", ["--acme-http-port", "0", "--acme-challenge", "tls-alpn-01"], ["renew.roost.test"]));
        await roost.WaitForLineAsync("is ready: listening", Timeout);
        Assert.Contains(roost.Lines, l => l.Contains("TLS-ALPN-01 challenges answered on 127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Contains(roost.Lines, l => l.Contains("renew.roost.test validated with tls-alpn-01", StringComparison.Ordinal));
        string serial;
        using (var first = await TlsProbe.GetServerCertificateAsync(port, "renew.roost.test", Ct))
        {
            serial = first.SerialNumber;
        }

        var url = $"https://127.0.0.1:{port}/healthz";
        var h2 = new LoadProbe(keepAlive: true) { RequiredVersion = HttpVersion.Version20, RetryUnprocessed = true };
        var h1 = new LoadProbe(keepAlive: false) { RequiredVersion = HttpVersion.Version11 };
        using var h2Client = AnyCertificateClient(HttpVersion.Version20, pooled: true);
        using var h1Client = AnyCertificateClient(HttpVersion.Version11, pooled: false);
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(
            h2.RunAsync(h2Client, url, 4, stop.Token, TimeSpan.FromMilliseconds(10)),
            h1.RunAsync(h1Client, url, 2, stop.Token, TimeSpan.FromMilliseconds(10)));

        var replaced = await roost.WaitForLineAsync($"serial {serial} replaced by", Timeout);
        var renewed = replaced[(replaced.IndexOf("replaced by ", StringComparison.Ordinal) + "replaced by ".Length)..].Split(' ')[0];
        await TlsProbe.WaitForSerialAsync(port, renewed, TimeSpan.FromSeconds(10), "renew.roost.test");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        await stop.CancelAsync();
        await load.WaitAsync(Timeout, Ct);

        Assert.NotEqual(serial, renewed);
        Assert.True(roost.Lines.Count(l => l.Contains("renew.roost.test validated with tls-alpn-01", StringComparison.Ordinal)) >= 2, "the renewal was not validated over TLS-ALPN-01");
        Assert.Contains(roost.Lines, l => l.Contains($"serial {renewed}", StringComparison.Ordinal) && l.Contains("obtained from", StringComparison.Ordinal));
        Assert.Equal(1, roost.Lines.Count(l => l.Contains($"serial {serial} replaced by", StringComparison.Ordinal)));
        // A managed certificate expiring soon (this one lives 24 s) is no "certbot renew" warning.
        Assert.DoesNotContain(roost.Lines, l => l.Contains("certbot", StringComparison.Ordinal));
        // The worker acknowledged the renewal's challenge before the CA was told (no bounded wait ran out).
        Assert.DoesNotContain(roost.Lines, l => l.Contains("did not acknowledge the TLS-ALPN-01 challenge", StringComparison.Ordinal));
        Assert.True(h2.Failed == 0 && h2.Refused == 0, "h2: " + string.Join("; ", h2.Errors));
        Assert.True(h1.Failed == 0 && h1.Refused == 0, "HTTP/1.1: " + string.Join("; ", h1.Errors));
        Assert.True(h2.Ok > 0 && h1.Ok > 0, $"no load ran: h2 {h2.Ok}, HTTP/1.1 {h1.Ok}");
    }

    private static HttpClient AnyCertificateClient(Version version, bool pooled) =>
        new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = pooled ? System.Threading.Timeout.InfiniteTimeSpan : TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
        })
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>An h2 client that trusts only <paramref name="chainPem"/>'s root and connects every name to 127.0.0.1:<paramref name="port"/>.</summary>
    internal static HttpClient TrustingClient(string chainPem, int port, Version? version = null)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(chainPem);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        handler.SslOptions.CertificateChainPolicy.ExtraStore.AddRange(roots);
        return new HttpClient(handler) { DefaultRequestVersion = version ?? HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(20) };
    }
}
