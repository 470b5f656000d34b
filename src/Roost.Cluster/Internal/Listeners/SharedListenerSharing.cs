using System.Net;
using System.Net.Sockets;

namespace Roost.Internal.Listeners;

/// <summary>
/// <c>shared</c>: one socket per end point, every worker accepts from the same kernel queue. Cheapest, but the
/// worker that wakes first takes bursts of connections (design.md: max/min 3–14× with 32 long-lived connections).
/// </summary>
internal sealed class SharedListenerSharing : IListenerSharing
{
    private readonly Dictionary<IPEndPoint, Socket> _sockets = [];
    private readonly Dictionary<IPEndPoint, IPEndPoint> _bound = [];
    private readonly Lock _gate = new();

    public IReadOnlyDictionary<IPEndPoint, IPEndPoint> BoundEndPoints
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<IPEndPoint, IPEndPoint>(_bound);
            }
        }
    }

    public int GetHandle(IPEndPoint endPoint, int slot)
    {
        lock (_gate)
        {
            if (!_sockets.TryGetValue(endPoint, out var socket))
            {
                socket = ListenerSockets.Bind(endPoint, reusePort: false);
                _sockets[endPoint] = socket;
                _bound[endPoint] = (IPEndPoint)socket.LocalEndPoint!;
            }

            return (int)socket.Handle;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets.Values)
            {
                socket.Dispose();
            }

            _sockets.Clear();
        }
    }
}
