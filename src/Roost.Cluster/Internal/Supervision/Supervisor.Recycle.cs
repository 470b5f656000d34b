using System.Globalization;
using Microsoft.Extensions.Logging;
using Roost.Internal.Interop;
using Roost.Internal.Ipc;

namespace Roost.Internal.Supervision;

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

    // Each worker's own request limit (RecycleAfterRequests + its jitter), drawn when the worker is first checked.
    private readonly Dictionary<int, long> _recycleRequestLimits = [];
    // Each worker's own age limit (RecycleAfterAge + its jitter), drawn when the worker is first checked.
    private readonly Dictionary<int, TimeSpan> _recycleAgeLimits = [];
    private DateTimeOffset _recycleNotBefore = DateTimeOffset.MinValue;

    /// <summary>gunicorn's rule: each worker's limit is <paramref name="limit"/> + a random number from 0 to <paramref name="jitter"/>, so workers do not recycle together.</summary>
    internal static long RequestLimit(long limit, int jitter, Func<double> random) =>
        limit + (long)Math.Min(jitter, Math.Floor(random() * (jitter + 1.0)));

    /// <summary>The same rule for age: <paramref name="age"/> + a random time from 0 to <paramref name="jitter"/> (whole milliseconds).</summary>
    internal static TimeSpan AgeLimit(TimeSpan age, TimeSpan jitter, Func<double> random) =>
        age + TimeSpan.FromMilliseconds(Math.Floor(jitter.TotalMilliseconds * random()));

    private void CheckRecycle()
    {
        if (!_options.RecyclingEnabled || _state != State.Running || _reload is not null)
        {
            return;
        }

        foreach (var gone in _recycleRequestLimits.Keys.Where(id => !_workers.ContainsKey(id)).ToList())
        {
            _recycleRequestLimits.Remove(gone);
        }

        foreach (var gone in _recycleAgeLimits.Keys.Where(id => !_workers.ContainsKey(id)).ToList())
        {
            _recycleAgeLimits.Remove(gone);
        }

        var now = _time.GetUtcNow();
        if (now < _recycleNotBefore)
        {
            return;
        }

        foreach (var worker in _workers.Values.Where(w => w.State == WorkerState.Ready && !w.KilledBySupervisor).OrderBy(w => w.StartedAt))
        {
            if (RecycleReasonFor(worker, now) is { } reason)
            {
                StartRecycle(worker, reason);
                return;
            }
        }
    }

    private RecycleReason? RecycleReasonFor(WorkerProcess worker, DateTimeOffset now)
    {
        if (_options.RecycleAfterRequests is { } maxRequests)
        {
            if (!_recycleRequestLimits.TryGetValue(worker.Id, out var limit))
            {
                limit = RequestLimit(maxRequests, _options.RecycleRequestsJitter, Random.Shared.NextDouble);
                _recycleRequestLimits[worker.Id] = limit;
            }

            if (worker.Worker.RequestCount >= limit)
            {
                return new RecycleReason(
                    nameof(ClusterOptions.RecycleAfterRequests),
                    string.Create(CultureInfo.InvariantCulture, $"{limit} requests ({maxRequests} + jitter {limit - maxRequests})"),
                    string.Create(CultureInfo.InvariantCulture, $"{worker.Worker.RequestCount} requests"));
            }
        }

        if (_options.RecycleAboveMemoryBytes is { } maxBytes && worker.Worker.RssBytes is { } rss && rss > maxBytes)
        {
            return new RecycleReason(nameof(ClusterOptions.RecycleAboveMemoryBytes), Megabytes(maxBytes), $"{Megabytes(rss)} RSS");
        }

        if (_options.RecycleAfterAge is { } maxAge)
        {
            if (!_recycleAgeLimits.TryGetValue(worker.Id, out var ageLimit))
            {
                ageLimit = AgeLimit(maxAge, _options.EffectiveRecycleAgeJitter, Random.Shared.NextDouble);
                _recycleAgeLimits[worker.Id] = ageLimit;
            }

            if (now - worker.StartedAt >= ageLimit)
            {
                return new RecycleReason(
                    nameof(ClusterOptions.RecycleAfterAge),
                    string.Create(CultureInfo.InvariantCulture, $"{ageLimit.TotalSeconds:0.#} s ({maxAge.TotalSeconds:0.#} s + jitter {(ageLimit - maxAge).TotalSeconds:0.#} s)"),
                    string.Create(CultureInfo.InvariantCulture, $"age {(now - worker.StartedAt).TotalSeconds:0.#} s"));
            }
        }

        return null;
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
        _recycleNotBefore = _time.GetUtcNow() + RecycleRetryDelay;
        Log.RecycleAborted(_logger, (long)RecycleRetryDelay.TotalSeconds, message);
    }

    /// <summary>A replacement of an aborted batch: it is not ready, so nothing depends on it; it is asked to stop (killed at the deadline).</summary>
    private void StopAbandonedIncoming(WorkerProcess incoming)
    {
        incoming.BeginDraining(_time.GetUtcNow() + _options.DrainTimeout + ExitGrace);
        _sharing.OnWorkerGone(incoming);
        SendStop(incoming, new StopMessage((long)_options.DrainTimeout.TotalMilliseconds));
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MB");

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
