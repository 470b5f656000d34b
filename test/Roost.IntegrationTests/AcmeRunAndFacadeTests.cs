using System.Globalization;
using System.Net;
using Roost.Acme;
using Roost.Testing;
using Roost.Tls;

namespace Roost.IntegrationTests;

/// <summary>One pebble (certificates live 24 s) shared by the tests of <see cref="AcmeRunAndFacadeTests"/>, which run one after the other.</summary>
public sealed class SharedPebble : IAsyncLifetime
{
    private PebbleServer? _pebble;

    public PebbleServer Pebble => _pebble ?? throw new InvalidOperationException("pebble is not started");

    public async ValueTask InitializeAsync() => _pebble = await PebbleServer.StartAsync(validitySeconds: 24);

    public async ValueTask DisposeAsync()
    {
        if (_pebble is not null)
        {
            await _pebble.DisposeAsync();
        }
    }
}

/// <summary>
/// Automatic certificates beyond <c>roost serve</c> (docs/acme.md), against a real ACME CA (Debian's pebble, on
/// loopback): <c>roost run --domain</c> for an unmodified ASP.NET Core app, and the façade's <c>SecureServerOptions.Acme</c>.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AcmeRunAndFacadeTests(SharedPebble shared) : IClassFixture<SharedPebble>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>HelloApp, the unmodified sample app as built by the solution.</summary>
    private static string HelloApp => Path.GetDirectoryName(RepoPaths.ProjectDll("samples", "HelloApp"))!;

    // Verifies: `roost run --domain` over TLS-ALPN-01 only: the primary obtains the first certificate before the app's
    // worker starts (answering acme-tls/1 on the serving port itself); the unmodified app's worker serves it over h2 and
    // HTTP/1.1 to a client that trusts only pebble's root; at about two thirds of the certificate's 24 s the renewal's
    // challenge is answered by the app's worker (its Kestrel now peeks at the ClientHello for acme-tls/1; without that
    // the CA gets the site's certificate and the renewal fails) and the worker swaps the renewed certificate in
    // (it watches the managed files): new handshakes get the new serial, without a restart.
    [Fact]
    public async Task Run_Domain_IssuesBeforeWorkerStarts_AppWorkerAnswersRenewalChallenge_AndSwapsCertificate()
    {
        var pebble = shared.Pebble;
        using var state = new TempDirectory("roost-acme-run");
        var port = pebble.TlsChallengePort;
        await using var roost = RoostCli.Start(
            ["run", HelloApp, "--workers", "1", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--shutdown-timeout", "5",
             "--acme-ca", pebble.DirectoryUrl, "--acme-ca-cert", pebble.TrustPath, "--acme-http-port", "0", "--acme-challenge", "tls-alpn-01",
             "--acme-agree-tos", "--acme-email", "ops@roost.test", "--acme-dir", state.Path, "--domain", "run.roost.test"],
            name: "roost-run");
        await roost.WaitForLineAsync("is ready: listening", Timeout);
        Assert.Contains(roost.Lines, l => l.Contains("run.roost.test validated with tls-alpn-01", StringComparison.Ordinal));
        var issued = roost.Lines.Single(l => l.Contains("Certificate for run.roost.test obtained from", StringComparison.Ordinal));
        Assert.True(roost.Lines.ToList().IndexOf(issued) < roost.Lines.ToList().FindIndex(l => l.Contains("is ready: listening", StringComparison.Ordinal)), "the worker was ready before the certificate was issued");
        var serial = SerialIn(issued);

        using (var served = await TlsProbe.GetServerCertificateAsync(port, "run.roost.test", Ct))
        {
            Assert.Equal(serial, served.SerialNumber);
            Assert.StartsWith("CN=Pebble Intermediate CA", served.Issuer, StringComparison.Ordinal);
        }

        var chain = await pebble.GetIssuingChainPemAsync();
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var client = AcmeTests.TrustingClient(chain, port, version);
            using var response = await client.GetAsync($"https://run.roost.test:{port}/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(version, response.Version);
            Assert.StartsWith("Hello from HelloApp", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // The renewal (due at about 16 s): its challenge reaches the app's worker, which holds the serving port now.
        var renewedLine = await roost.WaitForLineAsync(l => l.Contains("Certificate for run.roost.test obtained from", StringComparison.Ordinal) && !l.Contains(serial, StringComparison.Ordinal), Timeout);
        var renewed = SerialIn(renewedLine);
        Assert.Equal(2, roost.Lines.Count(l => l.Contains("run.roost.test validated with tls-alpn-01", StringComparison.Ordinal)));
        await TlsProbe.WaitForSerialAsync(port, renewed, TimeSpan.FromSeconds(10), "run.roost.test");
        using (var client = AcmeTests.TrustingClient(chain, port))
        {
            using var response = await client.GetAsync($"https://run.roost.test:{port}/", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.DoesNotContain(roost.Lines, l => l.Contains("not obtained", StringComparison.Ordinal));
        Assert.DoesNotContain(roost.Lines, l => l.Contains("did not acknowledge the TLS-ALPN-01 challenge", StringComparison.Ordinal));
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: a façade server with SecureServerOptions.Acme and no certificate files has no certificate until it
    // listens; ListenAsync obtains one over HTTP-01 from pebble before it completes; the server serves it over h2 and
    // HTTP/1.1 to a client trusting only pebble's root; at about two thirds of its 24 s the server renews it by itself
    // and swaps it in (CertificateReloaded, new handshakes get the new serial); closing the server releases the names'
    // lock (a second server for the same names reuses the stored certificate without a new order).
    [Fact]
    public async Task Facade_SecureServerOptionsAcme_ObtainsOnListen_ServesH2AndHttp1_RenewsAndSwaps()
    {
        var pebble = shared.Pebble;
        using var state = new TempDirectory("roost-acme-facade");
        SecureServerOptions Options() => new()
        {
            AllowHttp1 = true,
            HandleShutdownSignals = false,
            Acme = new AcmeOptions
            {
                Domains = { "facade.roost.test" },
                AgreeToTermsOfService = true,
                Email = "ops@roost.test",
                DirectoryUrl = pebble.DirectoryUrl,
                CaCertificateFile = pebble.TrustPath,
                HttpPort = pebble.HttpChallengePort,
                Challenge = AcmeChallengeType.Http01,
                StateDirectory = state.Path,
            },
        };

        string serial;
        await using (var server = Http2.CreateSecureServer(Options(), static (_, res) => res.End("hello from the façade")))
        {
            Assert.Null(server.Certificate);
            var reloaded = new TaskCompletionSource<CertificateReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            server.CertificateReloaded += (_, e) => reloaded.TrySetResult(e.Outcome);
            await server.ListenAsync(0, "127.0.0.1", Ct).WaitAsync(Timeout, Ct);

            var leaf = server.Certificate!.Leaf;
            serial = leaf.SerialNumber;
            Assert.StartsWith("CN=Pebble Intermediate CA", leaf.Issuer, StringComparison.Ordinal);
            Assert.Equal(["facade.roost.test"], leaf.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
            using (var served = await TlsProbe.GetServerCertificateAsync(server.Port, "facade.roost.test", Ct))
            {
                Assert.Equal(serial, served.SerialNumber);
            }

            var chain = await pebble.GetIssuingChainPemAsync();
            foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
            {
                using var client = AcmeTests.TrustingClient(chain, server.Port, version);
                using var response = await client.GetAsync($"https://facade.roost.test:{server.Port}/", Ct);
                Assert.Equal(version, response.Version);
                Assert.Equal("hello from the façade", await response.Content.ReadAsStringAsync(Ct));
            }

            var outcome = await reloaded.Task.WaitAsync(Timeout, Ct);
            Assert.Equal(CertificateReloadStatus.Reloaded, outcome.Status);
            var renewed = server.Certificate!.Leaf.SerialNumber;
            Assert.NotEqual(serial, renewed);
            await TlsProbe.WaitForSerialAsync(server.Port, renewed, TimeSpan.FromSeconds(10), "facade.roost.test");
            serial = renewed;
        }

        // Closed: the lock is released and the stored certificate is reused (pebble's 24 s certificate is still valid).
        await using (var again = Http2.CreateSecureServer(Options(), static (_, res) => res.End("again")))
        {
            await again.ListenAsync(0, "127.0.0.1", Ct).WaitAsync(Timeout, Ct);
            Assert.Equal(serial, again.Certificate!.Leaf.SerialNumber);
        }
    }

    // Verifies: SecureServerOptions.Acme problems are reported together when the server is created, one line each
    // naming the property: combined with a certificate, a wildcard name, terms not agreed, http-01 without its
    // listener, no names at all.
    [Fact]
    public void Facade_SecureServerOptionsAcme_BadInput_EveryProblemNamed()
    {
        var options = new SecureServerOptions
        {
            Cert = TlsInput.FromText("not used"),
            Acme = new AcmeOptions { Domains = { "*.example.com" }, HttpPort = 0, Challenge = AcmeChallengeType.Http01 },
        };
        var error = Assert.Throws<InvalidOptionsException>(() => Https.CreateServer(options, static (_, res) => res.End()));
        Assert.Contains(error.Problems, p => p.Contains("cannot be combined with Cert, Key, Pfx or Ca", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("Domains holds '*.example.com', which is not a DNS name", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("needs AgreeToTermsOfService = true", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("Challenge is Http01, but HttpPort is 0", StringComparison.Ordinal));

        var empty = new SecureServerOptions { Acme = new AcmeOptions { AgreeToTermsOfService = true } };
        var none = Assert.Throws<InvalidOptionsException>(() => Https.CreateServer(empty, static (_, res) => res.End()));
        Assert.Contains(none.Problems, p => p.Contains("SecureServerOptions.Acme.Domains is empty", StringComparison.Ordinal));
    }

    /// <summary>The serial of a "Certificate for … obtained from …: serial X, valid until …" line.</summary>
    private static string SerialIn(string line)
    {
        var start = line.IndexOf("serial ", StringComparison.Ordinal) + "serial ".Length;
        return line[start..line.IndexOf(',', start)];
    }
}
