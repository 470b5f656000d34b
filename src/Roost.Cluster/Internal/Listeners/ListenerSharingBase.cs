using System.Net;

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
}
