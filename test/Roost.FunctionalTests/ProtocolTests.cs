using System.Globalization;
using System.Net;
using System.Security.Authentication;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// Which protocol each façade factory speaks, over real sockets: HTTP/1.1 over TLS, h2 over TLS via ALPN, h2-only
/// refusing HTTP/1.1 clients the way Node's <c>http2.createSecureServer</c> without <c>allowHTTP1</c> does, h2c with
/// prior knowledge, and cleartext HTTP/1.1.
/// </summary>
public sealed class ProtocolTests
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Answers with what the server saw, so a test can check both ends agree on the protocol.</summary>
    private static void Describe(IncomingRequest req, OutgoingResponse res) =>
        res.End($"{req.HttpVersion} {(req.IsSecure ? "tls" : "cleartext")}");

    [Fact]
    public async Task HttpsServer_Http11Client_ServesHttp11OverTls()
    {
        using var chain = TestCertificates.CreateChain();
        await using var server = await Https.CreateServer(chain.ServerOptions(), Describe).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("1.1 tls", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("http/1.1 over TLS", server.Protocols);
    }

    [Fact]
    public async Task HttpsServer_ClientOfferingOnlyH2_IsRefusedInTheHandshake()
    {
        // Node's https server offers only http/1.1 in ALPN, so an h2-only client gets no_application_protocol.
        using var chain = TestCertificates.CreateChain();
        await using var server = await Https.CreateServer(chain.ServerOptions(), Describe).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.Url(), TestContext.Current.CancellationToken));

        Assert.IsType<AuthenticationException>(error.InnerException);
    }

    [Fact]
    public async Task Http2SecureServer_Http2Client_NegotiatesH2ViaAlpn()
    {
        using var chain = TestCertificates.CreateChain();
        await using var server = await Http2.CreateSecureServer(chain.ServerOptions(), Describe).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);

        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("2.0 tls", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("h2", server.Protocols);
    }

    [Theory]
    [InlineData(false, "h2")]
    [InlineData(true, "h2")]
    public async Task Http2SecureServer_ClientOfferingH2AndHttp11_SelectsH2(bool allowHttp1, string expected)
    {
        using var chain = TestCertificates.CreateChain();
        await using var server = await Http2.CreateSecureServer(chain.ServerOptions(allowHttp1), Describe).ListenOnLoopbackAsync();

        var handshake = await OpenSsl.ShowCertsAsync(server.Port, chain.RootPath, alpn: "h2,http/1.1");

        Assert.Equal(expected, handshake.Alpn);
    }

    [Fact]
    public async Task Http2SecureServer_WithoutAllowHttp1_CurlHttp11GetsNoApplicationProtocolAlert()
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var chain = TestCertificates.CreateChain();
        await using var server = await Http2.CreateSecureServer(chain.ServerOptions(), Describe).ListenOnLoopbackAsync();

        var (exitCode, output) = await CurlHttp11Async(curl, chain, server.Port);

        // 35 = CURLE_SSL_CONNECT_ERROR: the handshake ended with alert 120 before any HTTP was exchanged.
        Assert.Equal(35, exitCode);
        Assert.Contains("no application protocol", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2SecureServer_WithoutAllowHttp1_ClientWithoutAlpnGets403AndClose()
    {
        // HttpClient asks for HTTP/1.1 without offering ALPN at all; Node answers such a client with 403 and a text
        // naming allowHTTP1, then closes the connection. The handler never runs.
        using var chain = TestCertificates.CreateChain();
        var handlerRuns = 0;
        await using var server = await Http2.CreateSecureServer(chain.ServerOptions(), (req, res) =>
        {
            Interlocked.Increment(ref handlerRuns);
            res.End("must not be served");
        }).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(response.Headers.ConnectionClose);
        Assert.Equal(ErrorMessages.Http1NotAllowed() + "\n", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, handlerRuns);
    }

    [Fact]
    public async Task Http2SecureServer_WithoutAllowHttp1_RefusesHttp11ClientsLikeNode()
    {
        // The same two HTTP/1.1-only clients against Node 20's http2.createSecureServer (no allowHTTP1) and against
        // Roost with the same certificate files: the observable outcome must be the same.
        var node = ExternalTool.Require("node", "nodejs");
        var curl = ExternalTool.Require("curl", "curl");
        using var chain = TestCertificates.CreateChain();
        var script = chain.Directory.Write("h2-server.js", """
            const http2 = require('http2');
            const fs = require('fs');
            const [cert, key, ca] = process.argv.slice(2).map(f => fs.readFileSync(f));
            const server = http2.createSecureServer({ cert, key, ca: [ca] }, (req, res) => res.end('served'));
            server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
            """);
        await using var nodeServer = TestProcess.Start(node, [script, chain.LeafPath, chain.KeyPath, chain.IntermediatePath], name: "node");
        var line = await nodeServer.WaitForLineAsync("listening ", ToolTimeout);
        var nodePort = int.Parse(line["listening ".Length..], CultureInfo.InvariantCulture);
        await using var server = await Http2.CreateSecureServer(chain.ServerOptions(), (req, res) => res.End("served")).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        var nodeCurl = await CurlHttp11Async(curl, chain, nodePort);
        var roostCurl = await CurlHttp11Async(curl, chain, server.Port);
        using var nodeResponse = await client.GetAsync(new Uri($"https://127.0.0.1:{nodePort}/"), TestContext.Current.CancellationToken);
        using var roostResponse = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(35, nodeCurl.ExitCode);
        Assert.Equal(nodeCurl.ExitCode, roostCurl.ExitCode);
        Assert.Contains("no application protocol", nodeCurl.Output, StringComparison.Ordinal);
        Assert.Contains("no application protocol", roostCurl.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, nodeResponse.StatusCode);
        Assert.Equal(nodeResponse.StatusCode, roostResponse.StatusCode);
    }

    [Fact]
    public async Task Http2CleartextServer_PriorKnowledgeClient_ServesH2c()
    {
        await using var server = await Http2.CreateServer(TestServers.Options(), Describe).ListenOnLoopbackAsync();
        using var client = TestClients.Cleartext(HttpVersion.Version20);

        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("2.0 cleartext", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("h2c (prior knowledge)", server.Protocols);
    }

    [Fact]
    public async Task HttpServer_Http11Client_ServesCleartextHttp11()
    {
        await using var server = await Http.CreateServer(TestServers.Options(), Describe).ListenOnLoopbackAsync();
        using var client = TestClients.Cleartext(HttpVersion.Version11);

        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("1.1 cleartext", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(server.IsSecure);
        Assert.Equal("http/1.1", server.Protocols);
    }

    private static async Task<(int ExitCode, string Output)> CurlHttp11Async(string curl, TestChain chain, int port) =>
        await TestProcess.RunAsync(
            curl,
            ["--http1.1", "--silent", "--show-error", "--max-time", "10", "--cacert", chain.RootPath, $"https://127.0.0.1:{port}/"],
            ToolTimeout);
}
