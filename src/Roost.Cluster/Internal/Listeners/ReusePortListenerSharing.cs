using System.Net;
using System.Net.Sockets;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>
/// <c>reuseport</c>: one <c>SO_REUSEPORT</c> socket per end point and worker slot, all owned by the primary. The
/// kernel spreads new connections over the slots by hash; a dying worker's queued connections stay in its slot's
/// queue and are accepted by its replacement instead of being reset (design.md).
/// </summary>
/// <remarks>
/// Port 0 is resolved once: the first slot binds port 0 and the other slots bind the port the kernel chose.
/// Caveat: without managed respawn, a slot whose worker is gone keeps receiving its share of new connections,
/// which then wait until the backlog times out; use <c>shared</c> with Node's default (no respawn).
/// </remarks>
internal sealed partial class ReusePortListenerSharing : ListenerSharingBase, IListenerSharing
{
    private readonly Dictionary<(IPEndPoint EndPoint, int Slot), Socket> _sockets = [];

    public override int GetHandle(IPEndPoint endPoint, int slot)
    {
        lock (Gate)
        {
            if (!_sockets.TryGetValue((endPoint, slot), out var socket))
            {
                var target = Bound.TryGetValue(endPoint, out var resolved) ? resolved : endPoint;
                if (resolved is null)
                {
                    // The first slot of this end point: refuse a port someone else listens on, rather than join its
                    // SO_REUSEPORT group (the later slots join ours).
                    ListenerSockets.EnsureNotListening(target);
                }

                socket = ListenerSockets.Bind(target, reusePort: true);
                _sockets[(endPoint, slot)] = socket;
                Bound[endPoint] = (IPEndPoint)socket.LocalEndPoint!;
                OnBound(endPoint, slot);
            }

            return (int)socket.Handle;
        }
    }

    public override void Dispose() => CloseAll(_sockets);
}
