using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Supervision;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>
/// <c>handoff</c>: the primary accepts every connection itself and passes it with SCM_RIGHTS to the worker with the
/// fewest open handed-over connections (ties go round-robin) — Node's <c>RoundRobinHandle</c>, but least-loaded.
/// Balances exactly; costs one IPC message per connection in the primary.
/// </summary>
/// <remarks>
/// The listening socket never leaves the primary (FD_CLOEXEC stays set). While no worker can take a connection, the
/// primary stops accepting and new connections wait in the kernel queue for a worker — nothing is refused.
/// </remarks>
internal sealed class HandoffListenerSharing(ILogger logger) : ListenerSharingBase, IListenerSharing
{
    private readonly Dictionary<IPEndPoint, HandoffAcceptor> _acceptors = [];

    public override int GetHandle(IPEndPoint endPoint, int slot)
    {
        lock (Gate)
        {
            if (!_acceptors.ContainsKey(endPoint))
            {
                var socket = ListenerSockets.Bind(endPoint, reusePort: false, inheritable: false);
                Bound[endPoint] = (IPEndPoint)socket.LocalEndPoint!;
                var acceptor = new HandoffAcceptor(EndPointText.Describe(endPoint), socket, logger);
                _acceptors[endPoint] = acceptor;
                acceptor.Start();
            }

            return IListenerSharing.HandoffHandle;
        }
    }

    public void OnWorkerListening(WorkerProcess worker, IPEndPoint endPoint)
    {
        lock (Gate)
        {
            // The worker reports the end point it asked for (Kestrel reports handle-based listeners that way).
            if (_acceptors.TryGetValue(endPoint, out var acceptor))
            {
                acceptor.AddTarget(worker);
            }
        }
    }

    public void OnWorkerGone(WorkerProcess worker)
    {
        lock (Gate)
        {
            foreach (var acceptor in _acceptors.Values)
            {
                acceptor.RemoveTarget(worker);
            }
        }
    }

    public void OnLoad(WorkerProcess worker, long closedConnections)
    {
        lock (Gate)
        {
            foreach (var acceptor in _acceptors.Values)
            {
                acceptor.ReportClosed(worker, closedConnections);
            }
        }
    }

    public override void Dispose()
    {
        lock (Gate)
        {
            foreach (var acceptor in _acceptors.Values)
            {
                acceptor.Dispose();
            }

            _acceptors.Clear();
        }
    }
}
