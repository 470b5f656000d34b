using Microsoft.AspNetCore.Server.Kestrel.Core;
using Roost.Tls;

namespace Roost;

/// <summary>HTTP/1.1 over TLS, as Node's <c>https</c> module. For HTTP/2 use <see cref="Http2.CreateSecureServer(SecureServerOptions, RequestHandler)"/>.</summary>
public static class Https
{
    /// <summary>
    /// Creates an HTTPS server (Node's <c>https.createServer</c>). The certificate, key and chain are loaded now;
    /// the chain given in <see cref="SecureServerOptions.Ca"/> is sent in every handshake.
    /// </summary>
    /// <param name="options">The TLS material and settings.</param>
    /// <param name="handler">Handles each request.</param>
    /// <returns>The server; call <see cref="HttpServer.Listen(int, Action?)"/> to start it.</returns>
    /// <exception cref="InvalidOptionsException">A setting of <paramref name="options"/> is out of range (<see cref="ServerOptions.Validate"/>: every problem, one line each).</exception>
    /// <exception cref="CertificateLoadException">The TLS material is missing, unreadable or inconsistent.</exception>
    public static HttpServer CreateServer(SecureServerOptions options, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, HttpProtocols.Http1, handler, null);
    }

    /// <inheritdoc cref="CreateServer(SecureServerOptions, RequestHandler)"/>
    public static HttpServer CreateServer(SecureServerOptions options, AsyncRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, HttpProtocols.Http1, null, handler);
    }
}
