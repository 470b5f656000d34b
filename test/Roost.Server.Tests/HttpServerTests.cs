using System.Net;
using Roost.Testing;

namespace Roost.Server.Tests;

/// <summary>What a server reports before it listens, and the Listen arguments it rejects before touching a socket.</summary>
public sealed class HttpServerTests
{
    private static HttpServer CreateServer() => Http.CreateServer(new ServerOptions { HandleShutdownSignals = false }, (req, res) => res.End());

    /// <summary>Calls the synchronous Node-style <c>Listen</c> or <c>ListenAsync</c>.</summary>
    private static async Task ListenAsync(HttpServer server, bool async, int port, string host)
    {
        if (async)
        {
            await server.ListenAsync(port, host, TestContext.Current.CancellationToken);
        }
        else
        {
            server.Listen(port, host);
        }
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(-1, true)]
    [InlineData(65536, false)]
    [InlineData(65536, true)]
    [InlineData(int.MinValue, true)]
    public async Task Listen_PortOutOfRange_ThrowsArgumentOutOfRangeWithMessage(int port, bool async)
    {
        await using var server = CreateServer();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ListenAsync(server, async, port, "127.0.0.1"));

        Assert.Equal("port", error.ParamName);
        Assert.Equal(port, error.ActualValue);
        Assert.StartsWith(ErrorMessages.PortOutOfRange(port), error.Message, StringComparison.Ordinal);
        Assert.False(server.IsListening);
    }

    [Fact]
    public async Task Listen_DefaultHostPortOutOfRange_ThrowsArgumentOutOfRange()
    {
        await using var server = CreateServer();

        var sync = Assert.Throws<ArgumentOutOfRangeException>(() => server.Listen(65536));
        var async = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => server.ListenAsync(-1, TestContext.Current.CancellationToken));

        Assert.StartsWith(ErrorMessages.PortOutOfRange(65536), sync.Message, StringComparison.Ordinal);
        Assert.StartsWith(ErrorMessages.PortOutOfRange(-1), async.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com", false)]
    [InlineData("example.com", true)]
    [InlineData("300.1.1.1", true)]
    [InlineData("127.0.0.1:8080", true)]
    [InlineData("", true)]
    public async Task Listen_HostNotAnAddress_ThrowsArgumentExceptionWithMessage(string host, bool async)
    {
        await using var server = CreateServer();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ListenAsync(server, async, 0, host));

        Assert.Equal("host", error.ParamName);
        Assert.StartsWith(ErrorMessages.HostInvalid(host), error.Message, StringComparison.Ordinal);
        Assert.False(server.IsListening);
    }

    [Fact]
    public async Task Listen_NullHostOrEndPoint_ThrowsArgumentNull()
    {
        await using var server = CreateServer();

        await Assert.ThrowsAsync<ArgumentNullException>(() => server.ListenAsync(0, null!, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentNullException>(() => server.ListenAsync((IPEndPoint)null!, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task NewServer_BeforeListen_ReportsNotListening()
    {
        await using var server = CreateServer();

        Assert.False(server.IsListening);
        Assert.Equal(0, server.Port);
        Assert.Null(server.LocalEndPoint);
        Assert.False(server.IsSecure);
        Assert.Null(server.Certificate);
        Assert.False(server.WaitForShutdownAsync(TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public async Task CloseAsync_NeverListened_CompletesAndWaitForShutdownCompletes()
    {
        await using var server = CreateServer();

        await server.CloseAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        await server.WaitForShutdownAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken));
        Assert.Equal(ErrorMessages.ServerClosed(), error.Message);
    }

    [Fact]
    public async Task Factories_EachProtocol_ReportProtocolsAndSecurity()
    {
        using var chain = TestCertificates.CreateChain();
        RequestHandler handler = (req, res) => res.End();
        var options = new ServerOptions { HandleShutdownSignals = false };
        await using var http = Http.CreateServer(options, handler);
        await using var h2c = Http2.CreateServer(options, handler);
        await using var https = Https.CreateServer(chain.ServerOptions(), handler);
        await using var h2 = Http2.CreateSecureServer(chain.ServerOptions(), handler);
        await using var h2AndH1 = Http2.CreateSecureServer(chain.ServerOptions(allowHttp1: true), handler);
        await using var httpsIgnoringAllowHttp1 = Https.CreateServer(chain.ServerOptions(allowHttp1: true), handler);

        Assert.Equal(("http/1.1", false), (http.Protocols, http.IsSecure));
        Assert.Equal(("h2c (prior knowledge)", false), (h2c.Protocols, h2c.IsSecure));
        Assert.Equal(("http/1.1 over TLS", true), (https.Protocols, https.IsSecure));
        Assert.Equal(("h2", true), (h2.Protocols, h2.IsSecure));
        Assert.Equal(("h2, http/1.1", true), (h2AndH1.Protocols, h2AndH1.IsSecure));
        Assert.Equal("http/1.1 over TLS", httpsIgnoringAllowHttp1.Protocols);
        Assert.Equal(chain.Leaf.Thumbprint, https.Certificate?.Leaf.Thumbprint);
    }

    [Fact]
    public void Factories_NullArguments_ThrowArgumentNull()
    {
        RequestHandler handler = (req, res) => res.End();

        Assert.Throws<ArgumentNullException>(() => Http.CreateServer((RequestHandler)null!));
        Assert.Throws<ArgumentNullException>(() => Http.CreateServer(null!, handler));
        Assert.Throws<ArgumentNullException>(() => Http2.CreateServer((AsyncRequestHandler)null!));
        Assert.Throws<ArgumentNullException>(() => Https.CreateServer(null!, handler));
        Assert.Throws<ArgumentNullException>(() => Http2.CreateSecureServer(null!, handler));
    }
}
