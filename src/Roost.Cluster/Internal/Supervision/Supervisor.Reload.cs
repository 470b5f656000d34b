using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Rolling reload: replace workers a batch at a time (one by default), each only after its successor is ready (see <see cref="RollingReload"/>).</summary>
internal sealed partial class Supervisor
{
    private RollingReload? _reload;
    private int _generation = 1;

    /// <summary>Asks the loop for a rolling reload; the task completes with the outcome.</summary>
    public Task<ReloadResult> ReloadAsync()
    {
        EnsureStarted();
        var result = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SupervisorEvent.Reload(result));
        return result.Task;
    }

    private void OnReloadSignal(PosixSignalContext context)
    {
        // Signal callbacks only enqueue; the loop acts.
        context.Cancel = true;
        Post(new SupervisorEvent.Reload(null));
    }

    private void StartReload(TaskCompletionSource<ReloadResult>? waiter)
    {
        if (_state != State.Running)
        {
            waiter?.TrySetResult(ReloadResult.Failed(_generation, ClusterErrorMessages.ReloadNotRunning()));
            return;
        }

        if (DeferReloadDuringScale(waiter))
        {
            return;
        }

        ReloadTicketKeyFile();

        if (_reload is not null)
        {
            // A reload asked for during another one runs after it, so it picks up what changed in between.
            _reload.RunAgain = true;
            if (waiter is not null)
            {
                _reload.NextWaiters.Add(waiter);
            }

            Log.ReloadQueued(_logger, _reload.Generation);
            return;
        }

        var generation = _generation + 1;
        var old = _workers.Values.Where(w => w.State != WorkerState.Draining && w.Generation < generation).OrderBy(w => w.Slot).Select(w => w.Id).ToList();
        _reload = new RollingReload(generation, old, _time.GetUtcNow(), _options.ReloadBatchSize);
        if (waiter is not null)
        {
            _reload.Waiters.Add(waiter);
        }

        Log.ReloadStarted(_logger, generation, old.Count, _options.ReloadBatchSize);

        // A spare runs the program as it was on disk when the spare started: the new generation needs new ones.
        StopSpares(all: false);
        NextReloadStep();
    }

    private void NextReloadStep()
    {
        var reload = _reload!;
        while (reload.Incoming.Count < reload.BatchSize && reload.Remaining.TryDequeue(out var oldId))
        {
            if (!_workers.TryGetValue(oldId, out var old) || old.State == WorkerState.Draining)
            {
                continue;
            }

            if (TryPromoteSpareForReload(old, reload))
            {
                continue;
            }

            try
            {
                var worker = Spawn(old.Slot, old.ForkEnvironment, reload.Generation);
                reload.Incoming[_workers[worker.Id]] = oldId;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
            {
                AbortReload(ClusterErrorMessages.ReloadSpawnFailed(old.Slot, ex.Message));
                return;
            }
        }

        if (reload.Incoming.Count > 0)
        {
            return;
        }

        _generation = reload.Generation;
        var elapsed = (long)(_time.GetUtcNow() - reload.StartedAt).TotalMilliseconds;
        if (reload.Recycle is null)
        {
            Log.ReloadCompleted(_logger, reload.Generation, reload.Replaced, elapsed);
        }
        else
        {
            Log.RecycleCompleted(_logger, reload.Generation, elapsed);
        }

        EndReload(ReloadResult.Ok(reload.Generation, reload.Replaced), aborted: false);
    }

    private void OnReloadWorkerReady(WorkerProcess worker)
    {
        if (_reload is not { } reload || !reload.Incoming.Remove(worker, out var oldId))
        {
            return;
        }

        reload.Replaced++;
        if (_workers.TryGetValue(oldId, out var old) && old.State != WorkerState.Draining)
        {
            Log.ReloadReplaced(_logger, old.Id, old.Pid, old.Generation, worker.Id, worker.Pid, worker.Generation);
            old.BeginDraining(_time.GetUtcNow() + _options.DrainTimeout + ExitGrace);
            _sharing.OnWorkerGone(old);
            SendStop(old, new StopMessage((long)_options.DrainTimeout.TotalMilliseconds, SuccessorReady: true));
        }

        NextReloadStep();
    }

    /// <summary>Returns <see langword="true"/> when the exited worker was a reload's replacement (the reload aborts; no restart decision).</summary>
    private bool OnReloadWorkerExited(WorkerProcess worker, string exit)
    {
        if (_reload?.Incoming.Remove(worker) != true)
        {
            return false;
        }

        AbortReload(ClusterErrorMessages.ReloadWorkerExited(worker.Id, worker.Pid, worker.Generation, exit));
        return true;
    }

    private void CheckReload()
    {
        var now = _time.GetUtcNow();
        foreach (var old in _workers.Values.Where(w => now > w.DrainDeadline).ToList())
        {
            Log.DrainDeadline(_logger, old.Id, old.Pid, old.Generation);
            old.KillAtDrainDeadline();
        }

        if (_reload?.Incoming.Keys.FirstOrDefault(w => !w.HasListened && now - w.StartedAt > _options.BootTimeout) is { } incoming)
        {
            _reload.Incoming.Remove(incoming);
            incoming.BeginDraining();
            _sharing.OnWorkerGone(incoming);
            incoming.Kill(KillReason.BootTimeout);
            AbortReload(ClusterErrorMessages.ReloadWorkerTimedOut(incoming.Id, incoming.Pid, incoming.Generation, _options.BootTimeout));
        }
    }

    private void AbortReload(string message)
    {
        var reload = _reload!;

        // The batch's other replacements are not ready either: stop them; their old workers were never asked to drain.
        foreach (var incoming in reload.Incoming.Keys)
        {
            StopAbandonedIncoming(incoming);
        }

        reload.Incoming.Clear();
        if (reload.Recycle is null)
        {
            Log.ReloadAborted(_logger, message);
        }
        else
        {
            OnRecycleAborted(message);
        }

        EndReload(ReloadResult.Failed(reload.Generation, message, reload.Replaced), aborted: true);
    }

    private void EndReload(ReloadResult result, bool aborted)
    {
        if (_reload is not { } reload)
        {
            return;
        }

        _reload = null;
        if (aborted && reload.Replaced > 0)
        {
            // Some workers already run the new generation; later respawns and reloads count from it.
            _generation = reload.Generation;
        }

        foreach (var waiter in reload.Waiters)
        {
            waiter.TrySetResult(result);
        }

        OnReloadEndedForSpares(aborted);

        if (reload.RunAgain && _state == State.Running)
        {
            var next = reload.NextWaiters;
            StartReload(null);
            _reload?.Waiters.AddRange(next);
            if (_reload is null)
            {
                foreach (var waiter in next)
                {
                    waiter.TrySetResult(result);
                }
            }
        }
        else
        {
            foreach (var waiter in reload.NextWaiters)
            {
                waiter.TrySetResult(result);
            }
        }
    }
}
