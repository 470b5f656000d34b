using System.Net;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// The worker runtime under an application it did not create: <c>roost run</c>'s startup hook points the app's own
/// Kestrel at the inherited sockets and reports here when the app's host has started, and how to drain it.
/// </summary>
internal sealed partial class WorkerRuntime
{
    /// <summary>Gets the end points (as <c>address:port</c>) whose sockets the primary passed to this worker at start.</summary>
    public IReadOnlyCollection<string> InheritedEndPoints => _inherited.Keys;

    /// <summary>
    /// Reports an application host that serves <paramref name="endPoints"/> (the worker becomes ready) and registers
    /// <paramref name="drain"/>, called with the keep-alive window and the drain deadline when the worker must stop.
    /// </summary>
    public void OnHostListening(IReadOnlyCollection<IPEndPoint> endPoints, Func<TimeSpan, CancellationToken, Task> drain)
    {
        lock (_gate)
        {
            _hostDrains.Add(drain);
        }

        foreach (var endPoint in endPoints)
        {
            _channel.Send(new Ipc.ListeningMessage(endPoint.Address.ToString(), endPoint.Port));
        }

        if (Volatile.Read(ref _draining) != 0)
        {
            // Asked to stop while the app was still starting (the drain has begun without it): stop it now.
            _ = drain(TimeSpan.Zero, CancellationToken.None);
        }
    }
}
