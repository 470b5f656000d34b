using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Live scaling (see <see cref="ScaleOperation"/>). One operation at a time: a scale asked for while a reload or another
/// scale runs is answered <see cref="ScaleOutcome.Busy"/>; a reload asked for while a scale runs waits for it (SIGHUP
/// must never be lost), then runs.
/// </summary>
internal sealed partial class Supervisor
{
    /// <summary>The most workers a cluster may be scaled to (the same limit as <c>roost serve --workers</c>).</summary>
    public const int MaxWorkers = ClusterOptions.MaxWorkers;

    private readonly HashSet<int> _cancelledRespawns = [];
    private ScaleOperation? _scale;
    private bool _steering;
    private string? _steeredSlots;

    /// <summary>Asks the loop to scale to <paramref name="workers"/>; the task completes with the outcome.</summary>
    public Task<ScaleResult> ScaleAsync(int? workers, int? delta, Action<ControlResponse>? progress = null)
    {
        EnsureStarted();
        var result = new TaskCompletionSource<ScaleResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SupervisorEvent.Scale(workers, delta, result, progress));
        return result.Task;
    }

    /// <summary>Gets the worker count respawns keep: slots with a worker that was not asked to stop, plus slots waiting for a respawn.</summary>
    private int TargetWorkers => LiveSlots().Count;

    private HashSet<int> LiveSlots()
    {
        var slots = _workers.Values.Where(w => w.State != WorkerState.Draining).Select(w => w.Slot).ToHashSet();
        slots.UnionWith(_pendingSlots.Where(s => !_cancelledRespawns.Contains(s)));
        return slots;
    }

    private void StartScale(SupervisorEvent.Scale request)
    {
        var current = TargetWorkers;
        if (_state != State.Running)
        {
            request.Result.TrySetResult(ScaleResult.NotDone(ScaleOutcome.Failed, current, current, ClusterErrorMessages.ScaleNotRunning()));
            return;
        }

        // In long: a delta near int.MaxValue (the control protocol takes any int) must not wrap around before the check.
        var wanted = request.Workers ?? (long)current + (request.Delta ?? 0);
        if (wanted is < 1 or > MaxWorkers)
        {
            var message = request.Workers is null
                ? ClusterErrorMessages.ScaleRelativeOutOfRange(current, request.Delta ?? 0, MaxWorkers)
                : ClusterErrorMessages.ScaleOutOfRange(request.Workers.Value, MaxWorkers);
            request.Result.TrySetResult(ScaleResult.NotDone(ScaleOutcome.Rejected, current, current, message));
            return;
        }

        var target = (int)wanted;

        if (_reload is not null || _scale is not null)
        {
            var running = _reload is not null ? $"rolling reload (to generation {_reload.Generation})" : $"scale (to {_scale!.Target} workers)";
            request.Result.TrySetResult(ScaleResult.NotDone(ScaleOutcome.Busy, current, current, ClusterErrorMessages.Busy(running, "scale")));
            return;
        }

        if (target == current)
        {
            request.Result.TrySetResult(ScaleResult.Done(ScaleOutcome.Unchanged, current, current, 0, 0));
            return;
        }

        var scale = new ScaleOperation(current, target, request.Result, request.Progress);
        _scale = scale;
        Log.ScaleStarted(_logger, current, target);

        // From the first scale on, the primary steers reuseport connections to the slots it wants served (before a
        // new worker's socket joins the group, and before a removed worker stops accepting).
        _steering = true;
        UpdateSteering();
        if (target > current)
        {
            ScaleUp(scale, target - current);
        }
        else
        {
            ScaleDown(scale, current - target);
        }
    }

    private void ScaleUp(ScaleOperation scale, int count)
    {
        var template = _workers.Values.Where(w => w.State != WorkerState.Draining).OrderBy(w => w.Slot).FirstOrDefault()?.ForkEnvironment;
        for (var i = 0; i < count; i++)
        {
            var slot = NextFreeSlot();
            _cancelledRespawns.Remove(slot);
            try
            {
                var worker = Spawn(slot, template, _generation);
                _workers[worker.Id].ForkEnvironment = template;
                scale.Incoming.Add(worker.Id);
                scale.Progress?.Invoke(new ControlResponse.Progress("forked", $"Started worker {worker.Id} (pid {worker.Pid}, generation {worker.Generation}) in slot {slot}", worker.Id, worker.Pid, worker.Generation));
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
            {
                FailScale(ClusterErrorMessages.ScaleSpawnFailed(slot, ex.Message));
                return;
            }
        }
    }

    private void ScaleDown(ScaleOperation scale, int count)
    {
        // Highest slots first: with reuseport the slots left are 0…N-1, the sockets bound first.
        var victims = LiveSlots().OrderDescending().Take(count).ToHashSet();
        foreach (var slot in victims.Where(_pendingSlots.Contains))
        {
            _cancelledRespawns.Add(slot);
        }

        var leaving = _workers.Values.Where(w => w.State != WorkerState.Draining && victims.Contains(w.Slot)).OrderByDescending(w => w.Slot).ToList();
        foreach (var worker in leaving)
        {
            worker.BeginDraining();
            _sharing.OnWorkerGone(worker);
        }

        // Steer first, then stop: the kernel must have stopped queueing new connections on the removed slots' sockets
        // before their workers stop accepting — a connection queued on a socket nobody accepts from waits until the
        // client gives up (the slots' sockets stay open, so it is not reset either). A draining worker still accepts
        // until its queue is empty and through the keep-alive window, so connections queued before this are served.
        UpdateSteering();
        var now = _time.GetUtcNow();
        foreach (var worker in leaving)
        {
            Log.ScaleDraining(_logger, worker.Id, worker.Pid, worker.Generation, worker.Slot);
            scale.Progress?.Invoke(new ControlResponse.Progress("draining", $"Draining {worker.Worker} in slot {worker.Slot}", worker.Id, worker.Pid, worker.Generation));
            scale.Draining.Add(worker.Id);
            worker.BeginDraining(now + _options.DrainTimeout + ExitGrace);
            SendStop(worker, new StopMessage((long)_options.DrainTimeout.TotalMilliseconds, SlotRemoved: true));
        }

        CompleteScaleIfDone();
    }

    private void OnScaleWorkerReady(WorkerProcess worker)
    {
        if (_scale is not { } scale || !scale.Incoming.Remove(worker.Id))
        {
            return;
        }

        scale.Started++;
        scale.Progress?.Invoke(new ControlResponse.Progress("ready", $"{worker.Worker} is ready", worker.Id, worker.Pid, worker.Generation));
        UpdateSteering();
        CompleteScaleIfDone();
    }

    /// <summary>Returns <see langword="true"/> when the exited worker was a scale's new worker that never became ready (no restart decision).</summary>
    private bool OnScaleWorkerExited(WorkerProcess worker, string exit)
    {
        if (_scale is not { } scale)
        {
            return false;
        }

        if (scale.Draining.Remove(worker.Id))
        {
            scale.Drained++;
            scale.Progress?.Invoke(new ControlResponse.Progress("exited", $"{worker.Worker} drained and {exit}", worker.Id, worker.Pid, worker.Generation));
            CompleteScaleIfDone();
            return false;
        }

        if (!scale.Incoming.Remove(worker.Id))
        {
            return false;
        }

        FailScale(ClusterErrorMessages.ScaleWorkerExited(worker.Id, worker.Pid, worker.Generation, exit));
        return true;
    }

    private void CompleteScaleIfDone()
    {
        if (_scale is { Incoming.Count: 0, Draining.Count: 0 } scale)
        {
            // Every removed worker has exited: a connection still queued on a removed slot's socket has no acceptor
            // (it waits until the slot is used again or the client gives up). The drain order above prevents it;
            // say so if it happens anyway.
            foreach (var (endPoint, slot, queued) in _sharing.QueuedOnInactiveSlots())
            {
                Log.RemovedSlotQueued(_logger, queued, endPoint, slot);
            }

            Log.ScaleCompleted(_logger, scale.Previous, scale.Target, scale.Started, scale.Drained);
            EndScale(ScaleResult.Done(ScaleOutcome.Scaled, scale.Previous, TargetWorkers, scale.Started, scale.Drained));
        }
    }

    private void FailScale(string message)
    {
        if (_scale is not { } scale)
        {
            return;
        }

        Log.ScaleFailed(_logger, message);
        EndScale(ScaleResult.NotDone(ScaleOutcome.Failed, scale.Previous, TargetWorkers, message, scale.Started, scale.Drained));
    }

    private void EndScale(ScaleResult result)
    {
        if (_scale is not { } scale)
        {
            return;
        }

        _scale = null;
        UpdateSteering();
        scale.Result.TrySetResult(result);
        if (scale.DeferredReloads.Count > 0 && _state == State.Running)
        {
            var waiters = scale.DeferredReloads;
            StartReload(waiters[0]);
            _reload?.Waiters.AddRange(waiters.Skip(1).OfType<TaskCompletionSource<ReloadResult>>());
        }
        else
        {
            foreach (var waiter in scale.DeferredReloads)
            {
                waiter?.TrySetResult(ReloadResult.Failed(_generation, ClusterErrorMessages.ReloadNotRunning()));
            }
        }
    }

    /// <summary>Returns <see langword="true"/> when a scale runs: the reload is held until it ends.</summary>
    private bool DeferReloadDuringScale(TaskCompletionSource<ReloadResult>? waiter)
    {
        if (_scale is null || _state != State.Running)
        {
            return false;
        }

        _scale.DeferredReloads.Add(waiter);
        Log.ReloadDeferredByScale(_logger, _scale.Target);
        return true;
    }

    /// <summary>Returns <see langword="true"/> when the slot's pending respawn was cancelled by a scale down.</summary>
    private bool IsRespawnCancelled(int slot) => _cancelledRespawns.Remove(slot);

    private void UpdateSteering()
    {
        if (!_steering)
        {
            return;
        }

        // New workers of a running scale get connections only once ready; removed ones none from now on.
        var slots = _workers.Values
            .Where(w => w.State != WorkerState.Draining && (w.HasListened || _scale is null || !_scale.Incoming.Contains(w.Id)))
            .Select(w => w.Slot)
            .Concat(_pendingSlots.Where(s => !_cancelledRespawns.Contains(s)))
            .ToHashSet();
        try
        {
            _sharing.SetActiveSlots(slots);
            var text = string.Join(", ", slots.Order());
            if (text != _steeredSlots && _sharing is Listeners.ReusePortListenerSharing)
            {
                _steeredSlots = text;
                Log.SteeringChanged(_logger, text);
            }
        }
        catch (IOException ex)
        {
            // Without steering the kernel spreads over every slot's socket: connections may wait in a removed slot.
            Log.SteeringFailed(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.ScaleStarted, LogLevel.Information, "Scaling from {Previous} to {Target} worker(s)", EventName = "ScaleStarted")]
        public static partial void ScaleStarted(ILogger logger, int previous, int target);

        [LoggerMessage(ClusterEventIds.ScaleCompleted, LogLevel.Information, "Scaled from {Previous} to {Target} worker(s): {Started} started, {Drained} drained", EventName = "ScaleCompleted")]
        public static partial void ScaleCompleted(ILogger logger, int previous, int target, int started, int drained);

        [LoggerMessage(ClusterEventIds.ScaleFailed, LogLevel.Error, "{Message}", EventName = "ScaleFailed")]
        public static partial void ScaleFailed(ILogger logger, string message);

        [LoggerMessage(ClusterEventIds.ScaleDraining, LogLevel.Information, "worker {WorkerId} (pid {Pid}, generation {Generation}) drains: slot {Slot} is removed by a scale down", EventName = "ScaleDraining")]
        public static partial void ScaleDraining(ILogger logger, int workerId, int pid, int generation, int slot);

        [LoggerMessage(ClusterEventIds.ReloadDeferredByScale, LogLevel.Information, "Reload requested while scaling to {Target} worker(s); it starts when the scale is done", EventName = "ReloadDeferredByScale")]
        public static partial void ReloadDeferredByScale(ILogger logger, int target);

        [LoggerMessage(ClusterEventIds.SteeringChanged, LogLevel.Information, "New reuseport connections go to slot(s) {Slots}", EventName = "SteeringChanged")]
        public static partial void SteeringChanged(ILogger logger, string slots);

        [LoggerMessage(ClusterEventIds.RemovedSlotQueued, LogLevel.Warning, "{Queued} connection(s) wait on {EndPoint} in the accept queue of removed slot {Slot}: no worker accepts them until the cluster grows to that slot again", EventName = "RemovedSlotQueued")]
        public static partial void RemovedSlotQueued(ILogger logger, int queued, string endPoint, int slot);

        [LoggerMessage(ClusterEventIds.SteeringFailed, LogLevel.Warning, "Could not steer reuseport connections to the served slots: {Reason}", EventName = "SteeringFailed")]
        public static partial void SteeringFailed(ILogger logger, string reason);
    }
}
