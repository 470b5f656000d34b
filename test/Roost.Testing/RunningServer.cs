using System.Net;

namespace Roost.Testing;

/// <summary>
/// A façade server listening on 127.0.0.1:0 together with a client that speaks exactly its protocol (trusting only
/// the test root for TLS). Disposing closes the server, the client and the certificates.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(HttpServer server, HttpClient client, TestChain? chain, TestProtocol protocol)
    {
        Server = server;
        Client = client;
        Chain = chain;
        Protocol = protocol;
    }

    public HttpServer Server { get; }

    public HttpClient Client { get; }

    /// <summary>The certificate chain of a TLS server, or <see langword="null"/>.</summary>
    public TestChain? Chain { get; }

    public TestProtocol Protocol { get; }

    /// <summary>The HTTP version the client uses and the response must come back in.</summary>
    public Version Version => Protocol is TestProtocol.H2c or TestProtocol.H2Tls ? HttpVersion.Version20 : HttpVersion.Version11;

    /// <summary>What <see cref="IncomingRequest.HttpVersion"/> reports for this protocol.</summary>
    public string RequestHttpVersion => Version == HttpVersion.Version20 ? "2.0" : "1.1";

    public static Task<RunningServer> StartAsync(TestProtocol protocol, RequestHandler handler, Action<ServerOptions>? configure = null) =>
        StartAsync(protocol, configure, options => protocol switch
        {
            TestProtocol.Http11 => Http.CreateServer(options, handler),
            TestProtocol.H2c => Http2.CreateServer(options, handler),
            TestProtocol.Http11Tls => Https.CreateServer((SecureServerOptions)options, handler),
            _ => Http2.CreateSecureServer((SecureServerOptions)options, handler),
        });

    public static Task<RunningServer> StartAsync(TestProtocol protocol, AsyncRequestHandler handler, Action<ServerOptions>? configure = null) =>
        StartAsync(protocol, configure, options => protocol switch
        {
            TestProtocol.Http11 => Http.CreateServer(options, handler),
            TestProtocol.H2c => Http2.CreateServer(options, handler),
            TestProtocol.Http11Tls => Https.CreateServer((SecureServerOptions)options, handler),
            _ => Http2.CreateSecureServer((SecureServerOptions)options, handler),
        });

    /// <summary>The URL of <paramref name="pathAndQuery"/> on the server.</summary>
    public Uri Url(string pathAndQuery = "/") => Server.Url(pathAndQuery);

    /// <summary>A request in the server's protocol version.</summary>
    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery = "/") =>
        new(method, Url(pathAndQuery)) { Version = Version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Chain?.Dispose();
    }

    private static async Task<RunningServer> StartAsync(TestProtocol protocol, Action<ServerOptions>? configure, Func<ServerOptions, HttpServer> create)
    {
        var secure = protocol is TestProtocol.Http11Tls or TestProtocol.H2Tls;
        var chain = secure ? TestCertificates.CreateChain() : null;
        try
        {
            var options = chain?.ServerOptions() ?? TestServers.Options();
            configure?.Invoke(options);
            var server = create(options);
            try
            {
                await server.ListenOnLoopbackAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            var version = protocol is TestProtocol.H2c or TestProtocol.H2Tls ? HttpVersion.Version20 : HttpVersion.Version11;
            var client = chain is null ? TestClients.Cleartext(version) : TestClients.TrustingOnly(chain.Root, version);
            return new RunningServer(server, client, chain, protocol);
        }
        catch
        {
            chain?.Dispose();
            throw;
        }
    }
}
