using System.Net;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>
/// How the primary shares a listening end point with its workers (Node's <c>SharedHandle</c> / <c>RoundRobinHandle</c>
/// idea). The primary owns every socket for its whole life, so a worker exiting never closes an accept queue.
/// </summary>
internal interface IListenerSharing : IDisposable
{
    /// <summary>Returned by <see cref="GetHandle"/> when connections are handed over one by one instead.</summary>
    public const int HandoffHandle = -2;

    /// <summary>Gets the end points bound so far, with the real port when 0 was asked for, keyed by the requested end point.</summary>
    IReadOnlyDictionary<IPEndPoint, IPEndPoint> BoundEndPoints { get; }

    /// <summary>Returns the descriptor the worker in <paramref name="slot"/> accepts on (or <see cref="HandoffHandle"/>), binding on first use.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The end point cannot be bound.</exception>
    int GetHandle(IPEndPoint endPoint, int slot);

    /// <summary>A worker accepts on <paramref name="endPoint"/> (the end point it asked for).</summary>
    void OnWorkerListening(WorkerProcess worker, IPEndPoint endPoint)
    {
    }

    /// <summary>A worker stops taking connections (asked to stop, or exited).</summary>
    void OnWorkerGone(WorkerProcess worker)
    {
    }

    /// <summary>
    /// Only the workers in <paramref name="slots"/> should get new connections from now on (live scaling: a new
    /// worker's slot joins once it is ready, a removed worker's slot leaves before it drains).
    /// </summary>
    /// <exception cref="IOException">The kernel refused the change.</exception>
    void SetActiveSlots(IReadOnlyCollection<int> slots)
    {
    }

    /// <summary>Returns, per end point and inactive slot, how many connections wait in that slot's accept queue (reuseport only).</summary>
    IReadOnlyList<(string EndPoint, int Slot, int Queued)> QueuedOnInactiveSlots() => [];

    /// <summary>A worker reported how many connections it has closed so far.</summary>
    void OnLoad(WorkerProcess worker, long closedConnections)
    {
    }
}
