using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// Kestrel's socket transport for the listening sockets the primary gave this worker, with one addition: a draining
/// worker whose successor already accepts from the same sockets (rolling reload, recycle) stops accepting at once.
/// </summary>
/// <remarks>
/// Without it the draining worker kept accepting through its keep-alive drain window and answered every request on
/// those new connections with <c>Connection: close</c>: a client reconnecting after such an answer often landed on the
/// draining worker again (the kernel's queue is shared with the successor), one request per connection for the whole
/// window. Kestrel ends its accept loop when <see cref="IConnectionListener.AcceptAsync"/> returns null.
/// </remarks>
internal sealed class DrainableListenerFactory(IConnectionListenerFactory sockets, Func<EndPoint, bool> canBind, ConcurrentBag<DrainableListener> listeners)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => canBind(endpoint);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = new DrainableListener(await sockets.BindAsync(endpoint, cancellationToken).ConfigureAwait(false));
        listeners.Add(listener);
        return listener;
    }
}

/// <summary>One socket-transport listener that can stop accepting before Kestrel stops.</summary>
internal sealed class DrainableListener(IConnectionListener inner) : IConnectionListener
{
    private int _stopped;

    public EndPoint EndPoint => inner.EndPoint;

    public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _stopped) != 0 ? ValueTask.FromResult<ConnectionContext?>(null) : inner.AcceptAsync(cancellationToken);

    /// <summary>Ends the accept loop; connections already accepted keep being served.</summary>
    public ValueTask StopAcceptingAsync()
    {
        Interlocked.Exchange(ref _stopped, 1);
        return inner.UnbindAsync();
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
