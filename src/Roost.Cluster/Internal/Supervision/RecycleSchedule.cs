using System.Globalization;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Recycling's own state: each worker's request and age limit (drawn once, with jitter, when the worker is first
/// checked) and the pause after an aborted recycle. Owned by the supervisor loop (Supervisor.Recycle.cs).
/// </summary>
internal sealed class RecycleSchedule(ClusterOptions options, Func<double> random)
{
    // Each worker's own request limit (RecycleAfterRequests + its jitter).
    private readonly Dictionary<int, long> _requestLimits = [];

    // Each worker's own age limit (RecycleAfterAge + its jitter).
    private readonly Dictionary<int, TimeSpan> _ageLimits = [];

    /// <summary>Gets the time before which no recycle starts (after an aborted one; <see cref="DateTimeOffset.MinValue"/> otherwise).</summary>
    public DateTimeOffset NotBefore { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>gunicorn's rule: each worker's limit is <paramref name="limit"/> + a random number from 0 to <paramref name="jitter"/>, so workers do not recycle together.</summary>
    internal static long RequestLimit(long limit, int jitter, Func<double> random) =>
        limit + (long)Math.Min(jitter, Math.Floor(random() * (jitter + 1.0)));

    /// <summary>The same rule for age: <paramref name="age"/> + a random time from 0 to <paramref name="jitter"/> (whole milliseconds).</summary>
    internal static TimeSpan AgeLimit(TimeSpan age, TimeSpan jitter, Func<double> random) =>
        age + TimeSpan.FromMilliseconds(Math.Floor(jitter.TotalMilliseconds * random()));

    /// <summary>Drops the limits of workers that are gone.</summary>
    public void Forget(Func<int, bool> isGone)
    {
        foreach (var gone in _requestLimits.Keys.Where(isGone).ToList())
        {
            _requestLimits.Remove(gone);
        }

        foreach (var gone in _ageLimits.Keys.Where(isGone).ToList())
        {
            _ageLimits.Remove(gone);
        }
    }

    /// <summary>No recycle starts before <paramref name="time"/>.</summary>
    public void PauseUntil(DateTimeOffset time) => NotBefore = time;

    /// <summary>Returns which limit <paramref name="worker"/> has reached, or <see langword="null"/>: requests first, then memory, then age.</summary>
    public RecycleReason? ReasonFor(WorkerProcess worker, DateTimeOffset now)
    {
        if (options.RecycleAfterRequests is { } maxRequests)
        {
            if (!_requestLimits.TryGetValue(worker.Id, out var limit))
            {
                limit = RequestLimit(maxRequests, options.RecycleRequestsJitter, random);
                _requestLimits[worker.Id] = limit;
            }

            if (worker.Worker.RequestCount >= limit)
            {
                return new RecycleReason(
                    nameof(ClusterOptions.RecycleAfterRequests),
                    string.Create(CultureInfo.InvariantCulture, $"{limit} requests ({maxRequests} + jitter {limit - maxRequests})"),
                    string.Create(CultureInfo.InvariantCulture, $"{worker.Worker.RequestCount} requests"));
            }
        }

        if (options.RecycleAboveMemoryBytes is { } maxBytes && worker.Worker.RssBytes is { } rss && rss > maxBytes)
        {
            return new RecycleReason(nameof(ClusterOptions.RecycleAboveMemoryBytes), Megabytes(maxBytes), $"{Megabytes(rss)} RSS");
        }

        if (options.RecycleAfterAge is { } maxAge)
        {
            if (!_ageLimits.TryGetValue(worker.Id, out var ageLimit))
            {
                ageLimit = AgeLimit(maxAge, options.EffectiveRecycleAgeJitter, random);
                _ageLimits[worker.Id] = ageLimit;
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

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MB");
}
