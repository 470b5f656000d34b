using Microsoft.AspNetCore.Server.Kestrel.Core;
using Roost.Tls;

namespace Roost;

/// <summary>HTTP/2 servers, as Node's <c>http2</c> module.</summary>
public static class Http2
{
    /// <summary>
    /// Creates an HTTP/2 server over TLS (Node's <c>http2.createSecureServer</c>). Only h2 is negotiated unless
    /// <see cref="SecureServerOptions.AllowHttp1"/> is set, as Node's <c>allowHTTP1</c>.
    /// </summary>
    /// <param name="options">The TLS material and settings.</param>
    /// <param name="handler">Handles each request (stream).</param>
    /// <returns>The server; call <see cref="HttpServer.Listen(int, Action?)"/> to start it.</returns>
    /// <exception cref="InvalidOptionsException">A setting of <paramref name="options"/> is out of range (<see cref="ServerOptions.Validate"/>: every problem, one line each).</exception>
    /// <exception cref="CertificateLoadException">The TLS material is missing, unreadable or inconsistent.</exception>
    public static HttpServer CreateSecureServer(SecureServerOptions options, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, SecureProtocols(options), handler, null);
    }

    /// <inheritdoc cref="CreateSecureServer(SecureServerOptions, RequestHandler)"/>
    public static HttpServer CreateSecureServer(SecureServerOptions options, AsyncRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, SecureProtocols(options), null, handler);
    }

    /// <summary>Creates a cleartext HTTP/2 server that expects prior knowledge (h2c), as Node's <c>http2.createServer</c>.</summary>
    /// <param name="handler">Handles each request (stream).</param>
    /// <returns>The server.</returns>
    public static HttpServer CreateServer(RequestHandler handler) => CreateServer(new ServerOptions(), handler);

    /// <inheritdoc cref="CreateServer(RequestHandler)"/>
    public static HttpServer CreateServer(AsyncRequestHandler handler) => CreateServer(new ServerOptions(), handler);

    /// <summary>Creates a cleartext HTTP/2 (h2c, prior knowledge) server with options.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="handler">Handles each request (stream).</param>
    /// <returns>The server.</returns>
    /// <exception cref="InvalidOptionsException">A setting of <paramref name="options"/> is out of range (<see cref="ServerOptions.Validate"/>: every problem, one line each).</exception>
    public static HttpServer CreateServer(ServerOptions options, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, HttpProtocols.Http2, handler, null);
    }

    /// <inheritdoc cref="CreateServer(ServerOptions, RequestHandler)"/>
    public static HttpServer CreateServer(ServerOptions options, AsyncRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, HttpProtocols.Http2, null, handler);
    }

    private static HttpProtocols SecureProtocols(SecureServerOptions options) =>
        options.AllowHttp1 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2;
}
