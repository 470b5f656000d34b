using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Roost;

/// <summary>Cleartext HTTP/1.1 servers, as Node's <c>http</c> module.</summary>
public static class Http
{
    /// <summary>Creates a cleartext HTTP/1.1 server (Node's <c>http.createServer</c>).</summary>
    /// <param name="handler">Handles each request.</param>
    /// <returns>The server; call <see cref="HttpServer.Listen(int, Action?)"/> to start it.</returns>
    public static HttpServer CreateServer(RequestHandler handler) => CreateServer(new ServerOptions(), handler);

    /// <inheritdoc cref="CreateServer(RequestHandler)"/>
    public static HttpServer CreateServer(AsyncRequestHandler handler) => CreateServer(new ServerOptions(), handler);

    /// <summary>Creates a cleartext HTTP/1.1 server with options.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="handler">Handles each request.</param>
    /// <returns>The server.</returns>
    /// <exception cref="InvalidOptionsException">A setting of <paramref name="options"/> is out of range (<see cref="ServerOptions.Validate"/>: every problem, one line each).</exception>
    public static HttpServer CreateServer(ServerOptions options, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, HttpProtocols.Http1, handler, null);
    }

    /// <inheritdoc cref="CreateServer(ServerOptions, RequestHandler)"/>
    public static HttpServer CreateServer(ServerOptions options, AsyncRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        return new HttpServer(options, HttpProtocols.Http1, null, handler);
    }
}
