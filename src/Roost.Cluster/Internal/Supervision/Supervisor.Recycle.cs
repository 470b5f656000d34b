using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Recycling: a worker past its request, memory or age limit is replaced through the rolling-reload path (a
/// <see cref="RollingReload"/> of one worker: successor ready first, then the old worker drains).
/// </summary>
/// <remarks>
/// Checked on every tick (1 s), after the heartbeat that brought the worker's request count and RSS. Rules:
/// 1. only while the cluster runs and no reload or recycle is under way (a due recycle is simply found again on the
///    first tick after the reload; a reload replaces the worker anyway, and its successor starts from zero);
/// 2. one recycle at a time; among several due workers the oldest goes first;
/// 3. the successor takes the worker's slot, sockets and fork environment, and the next cluster generation: it runs
///    the program as it is on disk now, which may be a newer build than its siblings';
/// 4. if the successor fails to become ready, the recycle aborts (the old worker keeps serving) and no recycle is
///    tried for <see cref="RecycleRetryDelay"/>, so a broken build on disk does not fork a failing worker every second.
/// </remarks>
internal sealed partial class Supervisor
{
    internal static readonly TimeSpan RecycleRetryDelay = TimeSpan.FromSeconds(30);

    private RecycleSchedule? _recycleSchedule;

    private RecycleSchedule Recycling => _recycleSchedule ??= new RecycleSchedule(_options, Random.Shared.NextDouble);

    private void CheckRecycle()
    {
        if (!_options.RecyclingEnabled || _state != State.Running || _reload is not null)
        {
            return;
        }

        Recycling.Forget(id => !_workers.ContainsKey(id));
        var now = _time.GetUtcNow();
        if (now < Recycling.NotBefore)
        {
            return;
        }

        foreach (var worker in _workers.Values.Where(w => w.State == WorkerState.Ready && !w.KilledBySupervisor).OrderBy(w => w.StartedAt))
        {
            if (Recycling.ReasonFor(worker, now) is { } reason)
            {
                StartRecycle(worker, reason);
                return;
            }
        }
    }

    private void StartRecycle(WorkerProcess worker, RecycleReason reason)
    {
        var generation = _generation + 1;
        Log.RecycleStarted(_logger, worker.Id, worker.Pid, worker.Generation, reason.Setting, reason.Limit, reason.Seen, generation);
        _reload = new RollingReload(generation, [worker.Id], _time.GetUtcNow()) { Recycle = reason };
        NextReloadStep();
    }

    private void OnRecycleAborted(string message)
    {
        Recycling.PauseUntil(_time.GetUtcNow() + RecycleRetryDelay);
        Log.RecycleAborted(_logger, (long)RecycleRetryDelay.TotalSeconds, message);
    }

    /// <summary>A replacement of an aborted batch: it is not ready, so nothing depends on it; it is asked to stop (killed at the deadline).</summary>
    private void StopAbandonedIncoming(WorkerProcess incoming)
    {
        incoming.BeginDraining(_time.GetUtcNow() + _options.DrainTimeout + ExitGrace);
        _sharing.OnWorkerGone(incoming);
        SendStop(incoming, new StopMessage((long)_options.DrainTimeout.TotalMilliseconds));
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.RecycleStarted, LogLevel.Information, "Recycling worker {WorkerId} (pid {Pid}, generation {Generation}): {Setting} limit {Limit}, seen {Seen}; its successor (generation {NewGeneration}) starts first, then it drains", EventName = "RecycleStarted")]
        public static partial void RecycleStarted(ILogger logger, int workerId, int pid, int generation, string setting, string limit, string seen, int newGeneration);

        [LoggerMessage(ClusterEventIds.RecycleCompleted, LogLevel.Information, "Recycle to generation {Generation} done in {ElapsedMilliseconds} ms", EventName = "RecycleCompleted")]
        public static partial void RecycleCompleted(ILogger logger, int generation, long elapsedMilliseconds);

        [LoggerMessage(ClusterEventIds.RecycleAborted, LogLevel.Error, "Recycle aborted, the worker keeps serving; no recycle for {RetrySeconds} s. {Message}", EventName = "RecycleAborted")]
        public static partial void RecycleAborted(ILogger logger, long retrySeconds, string message);
    }
}
