using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>
/// OCSP stapling: with a local <c>openssl ocsp</c> responder named in the leaf, <c>openssl s_client -status</c> sees a
/// "good" staple; with <see cref="SecureServerOptions.OcspStapling"/> off no request is made and nothing is stapled; a
/// responder that never answers does not delay startup.
/// </summary>
public sealed class OcspStaplingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LeafWithOcspUrl_StapleIsSeenByOpenSslStatus()
    {
        OpenSsl.Require();
        var port = FreePort.Get();
        using var chain = TestCertificates.CreateChain(new GeneratedCertificateSpec { OcspUrl = $"http://127.0.0.1:{port}" });
        await using var responder = await OcspResponder.StartAsync(port, chain.Intermediate, chain.Directory, chain.Leaf);
        await using var server = await StartAsync(chain, ocsp: true);

        // The response is fetched in the background: the first handshakes may come before it.
        string output = string.Empty;
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            (_, output) = await OpenSsl.ConnectAsync(server.Port, "-status");
            if (output.Contains("OCSP Response Status: successful", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(250, Token);
        }

        Assert.Contains("OCSP Response Status: successful", output, StringComparison.Ordinal);
        Assert.Contains("Cert Status: good", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OcspStaplingOff_NoRequestIsMade_NothingIsStapled()
    {
        OpenSsl.Require();

        // A listener in place of the responder: any connection to it would be an OCSP request.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var chain = TestCertificates.CreateChain(new GeneratedCertificateSpec { OcspUrl = $"http://127.0.0.1:{port}" });
        await using var server = await StartAsync(chain, ocsp: false);

        var (_, output) = await OpenSsl.ConnectAsync(server.Port, "-status");
        await Task.Delay(1000, Token);
        (_, output) = await OpenSsl.ConnectAsync(server.Port, "-status");

        Assert.Contains("OCSP response: no response sent", output, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "The server contacted the OCSP responder although stapling is off.");
    }

    [Fact]
    public async Task ResponderThatNeverAnswers_DoesNotDelayStartupOrHandshakes()
    {
        // Accepts connections and never answers: what a firewalled CA looks like from an air-gapped host.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var chain = TestCertificates.CreateChain(new GeneratedCertificateSpec { OcspUrl = $"http://127.0.0.1:{port}" });

        var started = Stopwatch.StartNew();
        await using var server = await StartAsync(chain, ocsp: true);
        var startup = started.Elapsed;
        using var client = TestClients.TrustingOnly(chain.Root);
        var handshake = Stopwatch.StartNew();
        Assert.Equal("ok", await client.GetStringAsync($"https://localhost:{server.Port}/", Token));

        Assert.True(startup < TimeSpan.FromSeconds(3), $"startup took {startup}");
        Assert.True(handshake.Elapsed < TimeSpan.FromSeconds(3), $"first request took {handshake.Elapsed}");
    }

    private static async Task<HttpServer> StartAsync(TestChain chain, bool ocsp)
    {
        var options = SecureServerOptions.FromFiles(chain.LeafPath, chain.KeyPath, chain.IntermediatePath, chain.RootPath);
        options.HandleShutdownSignals = false;
        options.WatchCertificateFiles = false;
        options.OcspStapling = ocsp;
        var server = Http2.CreateSecureServer(options, (_, res) => res.End("ok"));
        await server.ListenAsync(0, "127.0.0.1", Token);
        return server;
    }
}
