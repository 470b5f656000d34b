using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Roost.Internal.Interop;
using Roost.Internal.Ipc;
using Roost.Internal.Supervision;

namespace Roost.Internal.Listeners;

/// <summary>The primary's accept loop for one <c>handoff</c> end point and its choice of worker per connection.</summary>
internal sealed partial class HandoffAcceptor(string key, Socket listener, ILogger logger) : IDisposable
{
    private readonly List<Target> _targets = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _hasTarget = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;

    public void Start() => _ = Task.Run(AcceptLoopAsync);

    public void AddTarget(WorkerProcess worker)
    {
        lock (_gate)
        {
            if (_targets.All(t => t.Worker != worker))
            {
                _targets.Add(new Target(worker));
                _hasTarget.TrySetResult();
            }
        }
    }

    public void RemoveTarget(WorkerProcess worker)
    {
        lock (_gate)
        {
            _targets.RemoveAll(t => t.Worker == worker);
            if (_targets.Count == 0 && _hasTarget.Task.IsCompleted)
            {
                _hasTarget = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
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
                Dispatch(connection);
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

    private void Dispatch(Socket connection)
    {
        var fd = (int)connection.Handle;
        var message = new ConnectionMessage(key);
        while (Pick() is { } target)
        {
            if (target.Worker.Channel.Send(message, fd))
            {
                break;
            }

            RemoveTarget(target.Worker);
        }

        // The worker holds its own copy now (or nobody could take it and the client sees a close). Close ours with
        // close() alone: SafeSocketHandle would shutdown() a close-on-exec socket, ending the worker's copy too.
        connection.SafeHandle.SetHandleAsInvalid();
        _ = Libc.Close(fd);
    }

    private Target? Pick()
    {
        lock (_gate)
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
    }

    private sealed class Target(WorkerProcess worker)
    {
        public WorkerProcess Worker { get; } = worker;

        public long Sent { get; set; }

        public long Closed { get; set; }

        public long Open => Sent - Closed;
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.HandoffAcceptFailed, LogLevel.Debug, "Accept on {EndPoint} failed: {Error}", EventName = "HandoffAcceptFailed")]
        public static partial void AcceptFailed(ILogger logger, string endPoint, string error);
    }
}
