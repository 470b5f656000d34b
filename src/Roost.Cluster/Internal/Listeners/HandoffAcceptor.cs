using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>The primary's accept loop for one <c>handoff</c> end point and its choice of worker per connection.</summary>
/// <remarks>
/// Nothing accepted is lost to a dying worker: the primary keeps its own copy of each connection it hands over until
/// the worker confirms it (<see cref="ConnectionReceivedMessage"/>, sent before the worker reads from it). When a
/// worker's channel closes (it died, or was killed with connections still in its socket buffer), the connections it
/// never confirmed go to another worker, or wait for the next one that listens. Node's <c>RoundRobinHandle</c> loses
/// those. A worker that stops reading its channel (SIGSTOP) holds at most <see cref="MaxHeldPerWorker"/> of them.
/// </remarks>
internal sealed partial class HandoffAcceptor(string key, Socket listener, ILogger logger) : IDisposable
{
    /// <summary>How many unconfirmed connections the primary keeps per worker; past it, it keeps no copy (as before).</summary>
    internal const int MaxHeldPerWorker = 1024;

    /// <summary>How many connections may wait for a worker when none can take one; past it, they are closed.</summary>
    internal const int MaxWaiting = 1024;

    private readonly List<Target> _targets = [];
    private readonly Dictionary<WorkerProcess, Watched> _watched = [];
    private readonly Queue<int> _waiting = new();
    private readonly ConnectionMessage _message = new(key);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _hasTarget = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;
    private bool _disposed;

    public void Start() => _ = Task.Run(AcceptLoopAsync);

    public void AddTarget(WorkerProcess worker)
    {
        lock (_gate)
        {
            if (_disposed || !worker.Channel.IsOpen)
            {
                return;
            }

            if (_targets.All(t => t.Worker != worker))
            {
                _targets.Add(new Target(worker));
                _hasTarget.TrySetResult();
            }

            Watch(worker);
            while (_waiting.Count > 0 && HandLocked(_waiting.Peek(), wait: false))
            {
                _waiting.Dequeue();
            }
        }
    }

    public void RemoveTarget(WorkerProcess worker)
    {
        lock (_gate)
        {
            RemoveTargetLocked(worker);
        }
    }

    public void ReportClosed(WorkerProcess worker, long closed)
    {
        lock (_gate)
        {
            foreach (var target in _targets.Where(t => t.Worker == worker))
            {
                target.Closed = closed;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        listener.Dispose();
        lock (_gate)
        {
            _disposed = true;
            foreach (var (worker, watched) in _watched)
            {
                Unwatch(worker, watched);
                CloseAll(watched.Held);
            }

            _watched.Clear();
            CloseAll(_waiting);
        }
    }

    private static void CloseAll(Queue<int> fds)
    {
        while (fds.TryDequeue(out var fd))
        {
            if (fd >= 0)
            {
                _ = Libc.Close(fd);
            }
        }
    }

    private static void Unwatch(WorkerProcess worker, Watched watched)
    {
        worker.Channel.MessageReceived -= watched.OnMessage;
        worker.Channel.Closed -= watched.OnClosed;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Task wait;
            lock (_gate)
            {
                wait = _hasTarget.Task;
            }

            try
            {
                // No worker to take it: leave new connections in the kernel queue (never refuse them).
                await wait.WaitAsync(_stop.Token).ConfigureAwait(false);
                var connection = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);

                // From here the descriptor is ours to pass and close with close() alone: SafeSocketHandle would
                // shutdown() it, which would end the worker's copy too.
                var fd = (int)connection.Handle;
                connection.SafeHandle.SetHandleAsInvalid();
                lock (_gate)
                {
                    HandLocked(fd, wait: true);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset before accept() returned it, or a transient resource limit: keep accepting.
                Log.AcceptFailed(logger, key, ex.SocketErrorCode.ToString());
            }
        }
    }

    /// <summary>
    /// Hands <paramref name="fd"/> to the least-loaded worker and keeps a copy until it confirms. With no worker able to
    /// take it, the connection waits (<paramref name="wait"/>) or is left to the caller; returns whether a worker took it.
    /// </summary>
    private bool HandLocked(int fd, bool wait)
    {
        // Under the gate so that the order of the copies kept per worker is the order the worker receives them in.
        while (!_disposed && Pick() is { } target)
        {
            if (target.Worker.Channel.Send(_message, fd))
            {
                var held = _watched[target.Worker].Held;
                if (held.Count < MaxHeldPerWorker)
                {
                    held.Enqueue(fd);
                }
                else
                {
                    held.Enqueue(-1);
                    _ = Libc.Close(fd);
                }

                return true;
            }

            RemoveTargetLocked(target.Worker);
        }

        if (wait)
        {
            if (!_disposed && _waiting.Count < MaxWaiting)
            {
                _waiting.Enqueue(fd);
            }
            else
            {
                _ = Libc.Close(fd);
            }
        }

        return false;
    }

    private void Watch(WorkerProcess worker)
    {
        if (_watched.ContainsKey(worker))
        {
            return;
        }

        var watched = new Watched();
        watched.OnMessage = message => OnWorkerMessage(worker, message);
        watched.OnClosed = () => OnChannelClosed(worker);
        _watched[worker] = watched;

        // Both arrive on the channel's reader thread, in order: every confirmation the worker sent comes before Closed.
        worker.Channel.MessageReceived += watched.OnMessage;
        worker.Channel.Closed += watched.OnClosed;
    }

    private void OnWorkerMessage(WorkerProcess worker, IpcMessage message)
    {
        if (message is not ConnectionReceivedMessage received || received.EndPoint != key)
        {
            return;
        }

        lock (_gate)
        {
            if (_watched.TryGetValue(worker, out var watched) && watched.Held.TryDequeue(out var fd) && fd >= 0)
            {
                _ = Libc.Close(fd);
            }
        }
    }

    private void OnChannelClosed(WorkerProcess worker)
    {
        lock (_gate)
        {
            RemoveTargetLocked(worker);
            if (!_watched.Remove(worker, out var watched))
            {
                return;
            }

            Unwatch(worker, watched);
            var rehanded = 0;
            while (watched.Held.TryDequeue(out var fd))
            {
                if (fd >= 0)
                {
                    HandLocked(fd, wait: true);
                    rehanded++;
                }
            }

            if (rehanded > 0)
            {
                Log.ConnectionsRehanded(logger, rehanded, key, worker.Id, worker.Pid);
            }
        }
    }

    private void RemoveTargetLocked(WorkerProcess worker)
    {
        _targets.RemoveAll(t => t.Worker == worker);
        if (_targets.Count == 0 && _hasTarget.Task.IsCompleted)
        {
            _hasTarget = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private Target? Pick()
    {
        if (_targets.Count == 0)
        {
            return null;
        }

        // Least open connections (sent − closed); ties go to the next in turn.
        Target? best = null;
        for (var i = 0; i < _targets.Count; i++)
        {
            var candidate = _targets[(_next + i) % _targets.Count];
            if (best is null || candidate.Open < best.Open)
            {
                best = candidate;
            }
        }

        _next = (_next + 1) % _targets.Count;
        best!.Sent++;
        return best;
    }

    private sealed class Target(WorkerProcess worker)
    {
        public WorkerProcess Worker { get; } = worker;

        public long Sent { get; set; }

        public long Closed { get; set; }

        public long Open => Sent - Closed;
    }

    /// <summary>A worker's channel subscriptions and the copies of the connections it has not confirmed, oldest first.</summary>
    private sealed class Watched
    {
        public Queue<int> Held { get; } = new();

        public Action<IpcMessage> OnMessage { get; set; } = static _ => { };

        public Action OnClosed { get; set; } = static () => { };
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.HandoffAcceptFailed, LogLevel.Debug, "Accept on {EndPoint} failed: {Error}", EventName = "HandoffAcceptFailed")]
        public static partial void AcceptFailed(ILogger logger, string endPoint, string error);

        [LoggerMessage(ClusterEventIds.HandoffConnectionsRehanded, LogLevel.Information, "{Count} connection(s) on {EndPoint} handed to worker {WorkerId} (pid {Pid}) had not reached it when its channel closed; they went to another worker", EventName = "HandoffConnectionsRehanded")]
        public static partial void ConnectionsRehanded(ILogger logger, int count, string endPoint, int workerId, int pid);
    }
}
