using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// The worker's Kestrel transport for <c>handoff</c> sharing: connections arrive over IPC instead of from a
/// listening socket. Kestrel reaches it through <c>ListenHandle(token)</c>: the token is a number this transport
/// recognises (<see cref="CanBind"/>); registered after the socket transport, it is asked first (Kestrel tries
/// transports in reverse registration order).
/// </summary>
internal sealed class HandoffTransport
{
    // Far above any real descriptor number; never passed to the kernel.
    private const ulong FirstToken = 0x7FFF_0000;

    private readonly ConcurrentDictionary<ulong, HandoffConnectionListener> _byToken = new();
    private readonly ConcurrentDictionary<string, HandoffConnectionListener> _byEndPoint = new(StringComparer.Ordinal);
    private long _nextToken = (long)FirstToken;
    private long _closed;

    /// <summary>Gets how many handed-over connections have closed (reported to the primary for its least-loaded choice).</summary>
    public long ClosedConnections => Interlocked.Read(ref _closed);

    /// <summary>Creates the listener for <paramref name="endPoint"/> (connections that arrive before Kestrel accepts wait in it) and returns its token.</summary>
    public ulong Register(string endPoint)
    {
        var token = (ulong)Interlocked.Increment(ref _nextToken);
        var listener = _byEndPoint.GetOrAdd(endPoint, key => new HandoffConnectionListener(key, () => Interlocked.Increment(ref _closed)));
        _byToken[token] = listener;
        return token;
    }

    /// <summary>Queues a connection for the server on <paramref name="endPoint"/>; closes it when there is none.</summary>
    public void Deliver(string endPoint, int fd)
    {
        if (fd < 0)
        {
            return;
        }

        // Close-on-exec again: the application's own child processes must not hold client connections open.
        Libc.SetCloseOnExec(fd, true);
        if (!_byEndPoint.TryGetValue(endPoint, out var listener) || !listener.TryEnqueue(fd))
        {
            _ = Libc.Close(fd);
        }
    }

    public bool CanBind(EndPoint endpoint) => endpoint is FileHandleEndPoint handle && _byToken.ContainsKey(handle.FileHandle);

    public IConnectionListener Bind(EndPoint endpoint, IMemoryPoolFactory<byte>? memoryPoolFactory)
    {
        var listener = _byToken[((FileHandleEndPoint)endpoint).FileHandle];
        listener.Bind(endpoint, memoryPoolFactory);
        return listener;
    }
}
