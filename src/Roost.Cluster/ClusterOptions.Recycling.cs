namespace Roost;

/// <summary>Rolling reload batch size and worker recycling (all recycling settings are off by default).</summary>
public sealed partial class ClusterOptions
{
    /// <summary>
    /// Gets or sets how many workers a rolling reload replaces at a time. Each replaced worker keeps the
    /// ready-then-drain rule: its successor is started first and the old worker drains only once the successor is
    /// ready, so the number of serving workers never drops below the configured count (while a batch is under way
    /// up to <c>workers + ReloadBatchSize</c> processes run). If any successor of a batch fails to become ready, the
    /// reload aborts: the batch's other successors are stopped and their old workers, never asked to drain, keep serving.
    /// </summary>
    /// <remarks>Defaults to 1 (one worker at a time). Must be at least 1.</remarks>
    public int ReloadBatchSize { get; set; } = 1;

    /// <summary>
    /// Gets or sets after how many finished HTTP requests a worker is recycled (replaced through the rolling-reload
    /// path: successor ready first, then the old worker drains), gunicorn's <c>max_requests</c>. Each worker's own
    /// limit is this plus a random number from 0 to <see cref="RecycleRequestsJitter"/>, drawn when the worker is
    /// first checked, so workers do not recycle together.
    /// </summary>
    /// <remarks>
    /// Defaults to <see langword="null"/> (off). Must be at least 1. The count reaches the primary with each heartbeat
    /// (<see cref="HeartbeatInterval"/>), so a worker is recycled up to one heartbeat interval (plus the 1 s check) after
    /// it passed its limit; a busy worker serves that many requests more.
    /// </remarks>
    public long? RecycleAfterRequests { get; set; }

    /// <summary>Gets or sets the largest random number of requests added to <see cref="RecycleAfterRequests"/> per worker (gunicorn's <c>max_requests_jitter</c>).</summary>
    /// <remarks>Defaults to 0. Must be zero or more.</remarks>
    public int RecycleRequestsJitter { get; set; }

    /// <summary>
    /// Gets or sets the resident set size (RSS, in bytes) above which a worker is recycled (PM2's
    /// <c>max_memory_restart</c>). The primary reads each worker's RSS when its heartbeat arrives.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/> (off). Must be more than zero.</remarks>
    public long? RecycleAboveMemoryBytes { get; set; }

    /// <summary>
    /// Gets or sets how long a worker may run (from process start) before it is recycled. Each worker's own limit is
    /// this plus a random time from 0 to <see cref="RecycleAgeJitter"/> (by default a tenth of this), drawn when the
    /// worker is first checked, so workers started together do not come due together.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/> (off). Must be more than zero.</remarks>
    public TimeSpan? RecycleAfterAge { get; set; }

    /// <summary>
    /// Gets or sets the largest random time added to <see cref="RecycleAfterAge"/> per worker (the age counterpart of
    /// <see cref="RecycleRequestsJitter"/>). <see langword="null"/> means a tenth of <see cref="RecycleAfterAge"/>
    /// (gRPC spreads its <c>MaxConnectionAge</c> by ±10% the same way); zero turns the spread off.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/> (a tenth of the age). Must be zero or more.</remarks>
    public TimeSpan? RecycleAgeJitter { get; set; }

    /// <summary>Gets the age jitter in effect: <see cref="RecycleAgeJitter"/>, or a tenth of <see cref="RecycleAfterAge"/> when it is not set.</summary>
    internal TimeSpan EffectiveRecycleAgeJitter => RecycleAgeJitter ?? (RecycleAfterAge is { } age ? age / 10 : TimeSpan.Zero);

    internal bool RecyclingEnabled => RecycleAfterRequests is not null || RecycleAboveMemoryBytes is not null || RecycleAfterAge is not null;

    private void AddRecyclingProblems(List<string> problems)
    {
        Require(problems, ReloadBatchSize >= 1, nameof(ReloadBatchSize), ReloadBatchSize, "at least 1");
        Require(problems, RecycleAfterRequests is null or >= 1, nameof(RecycleAfterRequests), RecycleAfterRequests, "at least 1 (or null: off)");
        Require(problems, RecycleRequestsJitter >= 0, nameof(RecycleRequestsJitter), RecycleRequestsJitter, "zero or more");
        Require(problems, RecycleAboveMemoryBytes is null or >= 1, nameof(RecycleAboveMemoryBytes), RecycleAboveMemoryBytes, "more than zero (or null: off)");
        Require(problems, RecycleAfterAge is null || RecycleAfterAge > TimeSpan.Zero, nameof(RecycleAfterAge), RecycleAfterAge, "more than zero (or null: off)");
        Require(problems, RecycleAgeJitter is null || RecycleAgeJitter >= TimeSpan.Zero, nameof(RecycleAgeJitter), RecycleAgeJitter, "zero or more (or null: a tenth of RecycleAfterAge)");
    }
}
