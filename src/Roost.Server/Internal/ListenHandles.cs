using System.Net;

namespace Roost.Server.Internal;

/// <summary>
/// The seam through which the cluster runtime makes <c>Listen</c> in a worker serve a socket the primary owns, as
/// Node's cluster module does: when a provider is set, the server asks it for an inherited listening socket.
/// </summary>
internal interface IListenHandleProvider
{
    /// <summary>Returns the file descriptor of a listening socket for <paramref name="endPoint"/>, or <see langword="null"/> to bind normally.</summary>
    ValueTask<ulong?> GetHandleAsync(IPEndPoint endPoint, CancellationToken cancellationToken);

    /// <summary>
    /// Called after the server's app is built, just before it asks for a handle and starts. A hot spare runs
    /// <paramref name="warmUp"/> (a throwaway copy of the server answers one request on a private port) and then waits
    /// here until it is promoted.
    /// </summary>
    ValueTask BeforeStartAsync(Func<CancellationToken, Task> warmUp, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called once the server accepts on <paramref name="endPoint"/>.</summary>
    void OnListening(HttpServer server, IPEndPoint endPoint);

    /// <summary>Wraps the server's logger factory (a worker prefixes every line with its identity).</summary>
    Microsoft.Extensions.Logging.ILoggerFactory WrapLoggerFactory(Microsoft.Extensions.Logging.ILoggerFactory factory) => factory;

    /// <summary>Adds services to the server's Kestrel host (e.g. a transport for connections handed over by the primary).</summary>
    void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }
}

/// <summary>Holds the process's <see cref="IListenHandleProvider"/>, set by the cluster runtime in a worker.</summary>
internal static class ListenHandles
{
    public static IListenHandleProvider? Provider { get; set; }
}
