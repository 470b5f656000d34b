using System.Net;
using System.Net.Sockets;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>
/// What every strategy keeps the same way: the end points bound so far (with the real port for port 0) under one lock.
/// </summary>
/// <remarks>
/// Strategies derive from this and list <see cref="IListenerSharing"/> again, so that their own public
/// <c>OnWorker…</c> methods implement the interface's default members.
/// </remarks>
internal abstract class ListenerSharingBase : IListenerSharing
{
    /// <summary>Gets the lock that guards <see cref="Bound"/> and the strategy's own socket tables.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Gets the bound end points, keyed by the requested end point. Guarded by <see cref="Gate"/>.</summary>
    protected Dictionary<IPEndPoint, IPEndPoint> Bound { get; } = [];

    public IReadOnlyDictionary<IPEndPoint, IPEndPoint> BoundEndPoints
    {
        get
        {
            lock (Gate)
            {
                return new Dictionary<IPEndPoint, IPEndPoint>(Bound);
            }
        }
    }

    public abstract int GetHandle(IPEndPoint endPoint, int slot);

    public abstract void Dispose();

    /// <summary>Closes a strategy's listening sockets and empties its table, under <see cref="Gate"/>.</summary>
    /// <typeparam name="TKey">How the strategy keys its sockets.</typeparam>
    /// <param name="sockets">The strategy's socket table.</param>
    protected void CloseAll<TKey>(Dictionary<TKey, Socket> sockets)
        where TKey : notnull
    {
        lock (Gate)
        {
            foreach (var socket in sockets.Values)
            {
                socket.Dispose();
            }

            sockets.Clear();
        }
    }
}
