using System.Net;

namespace Roost.Internal.Listeners;

/// <summary>
/// How the primary shares a listening end point with its workers (Node's <c>SharedHandle</c> / <c>RoundRobinHandle</c>
/// idea). The primary owns every socket for its whole life, so a worker exiting never closes an accept queue.
/// </summary>
internal interface IListenerSharing : IDisposable
{
    /// <summary>Returns the descriptor the worker in <paramref name="slot"/> accepts on, binding on first use.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The end point cannot be bound.</exception>
    int GetHandle(IPEndPoint endPoint, int slot);

    /// <summary>Gets the end points bound so far, with the real port when 0 was asked for, keyed by the requested end point.</summary>
    IReadOnlyDictionary<IPEndPoint, IPEndPoint> BoundEndPoints { get; }
}
