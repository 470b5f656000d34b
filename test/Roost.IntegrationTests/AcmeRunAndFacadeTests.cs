using System.Globalization;
using System.Net;
using Roost.Testing;

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
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    /// <summary>The serial of a "Certificate for … obtained from …: serial X, valid until …" line.</summary>
    private static string SerialIn(string line)
    {
        var start = line.IndexOf("serial ", StringComparison.Ordinal) + "serial ".Length;
        return line[start..line.IndexOf(',', start)];
    }
}
