using System.Net;
using System.Net.Sockets;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>
/// <c>shared</c>: one socket per end point, every worker accepts from the same kernel queue. Cheapest, but the
/// worker that wakes first takes bursts of connections (design.md: max/min 3–14× with 32 long-lived connections).
/// </summary>
internal sealed class SharedListenerSharing : ListenerSharingBase, IListenerSharing
{
    private readonly Dictionary<IPEndPoint, Socket> _sockets = [];

    public override int GetHandle(IPEndPoint endPoint, int slot)
    {
        lock (Gate)
        {
            if (!_sockets.TryGetValue(endPoint, out var socket))
            {
                socket = ListenerSockets.Bind(endPoint, reusePort: false);
                _sockets[endPoint] = socket;
                Bound[endPoint] = (IPEndPoint)socket.LocalEndPoint!;
            }

            return (int)socket.Handle;
        }
    }

    public override void Dispose() => CloseAll(_sockets);
}
