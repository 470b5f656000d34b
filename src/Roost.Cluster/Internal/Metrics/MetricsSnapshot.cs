using System.Text.Json.Serialization;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// The whole instance at one moment: what <c>roost top</c>, the dashboard and the Prometheus endpoint show. Built on
/// the supervisor loop from the workers' shared blocks (<see cref="MetricsBlock"/>) and <c>/proc</c>; sent as JSON on
/// the control socket (<c>metrics</c> request).
/// </summary>
/// <param name="Name">The instance name (the control socket's), or empty.</param>
/// <param name="Pid">The primary's pid.</param>
/// <param name="Time">When the snapshot was taken.</param>
/// <param name="StartedAt">When the primary started.</param>
/// <param name="Generation">The current generation.</param>
/// <param name="TargetWorkers">The worker count respawns keep.</param>
/// <param name="State">running, stopping or stopped.</param>
/// <param name="Operation">reload, scale or <see langword="null"/>.</param>
/// <param name="Primary">The primary process itself.</param>
/// <param name="Workers">Live workers by slot then id, then hot spares (state <c>spare</c>, no slot); counts since each process started.</param>
/// <param name="Slots">Per slot, counts of every worker that ever filled it (never go backwards; the Prometheus <c>worker</c> label).</param>
/// <param name="Totals">The whole instance since the primary started (never go backwards).</param>
/// <param name="DurationBounds">Upper bounds (seconds) of the duration buckets; the last bucket is +Inf.</param>
/// <param name="Supervision">What the supervisor did since the primary started.</param>
/// <param name="Events">The last supervision events, oldest first.</param>
internal sealed record MetricsSnapshot(
    string Name,
    int Pid,
    DateTimeOffset Time,
    DateTimeOffset StartedAt,
    int Generation,
    int TargetWorkers,
    string State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Operation,
    ProcessUsage Primary,
    IReadOnlyList<WorkerMetrics> Workers,
    IReadOnlyList<SlotMetrics> Slots,
    TotalMetrics Totals,
    IReadOnlyList<double> DurationBounds,
    SupervisionCounts Supervision,
    IReadOnlyList<SupervisionEntry> Events);

/// <summary>CPU and memory of one process.</summary>
/// <param name="CpuPercent">CPU time over the last second or more, in percent of one core; null before the second sample.</param>
/// <param name="RssBytes">Resident memory; null when /proc cannot be read.</param>
internal sealed record ProcessUsage(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CpuPercent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? RssBytes);

/// <summary>One live worker process.</summary>
/// <param name="Id">Worker id.</param>
/// <param name="Pid">Process id.</param>
/// <param name="Slot">Slot; null for a hot spare.</param>
/// <param name="Generation">Generation.</param>
/// <param name="State">starting, ready, draining or spare.</param>
/// <param name="StartedAt">When it started (a promoted spare: when it was promoted).</param>
/// <param name="UptimeSeconds">Seconds since then.</param>
/// <param name="Restarts">Respawns of its slot before it.</param>
/// <param name="Usage">CPU and memory.</param>
/// <param name="Counts">Counts since the process started.</param>
/// <param name="Recent">Rates and latency over the last second or more.</param>
// Its first fields repeat the public Roost.Control.WorkerStatus's on purpose: this is the internal wire shape of the
// metrics snapshot (it changes with the dashboard and `roost top`), WorkerStatus the public API's, which must not.
internal sealed record WorkerMetrics(
    int Id,
    int Pid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Slot,
    int Generation,
    string State,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    int Restarts,
    ProcessUsage Usage,
    RequestCounts Counts,
    RecentRates Recent);

/// <summary>Counts of every worker that filled one slot.</summary>
/// <param name="Slot">The slot.</param>
/// <param name="Counts">Cumulative counts; gauges are those of its live workers.</param>
internal sealed record SlotMetrics(int Slot, RequestCounts Counts);

/// <summary>The instance's totals.</summary>
/// <param name="Counts">Cumulative counts of every worker since the primary started; gauges are the live workers'.</param>
/// <param name="Recent">Rates and latency over the last second or more.</param>
/// <param name="Usage">CPU and memory of the live workers together (not the primary).</param>
internal sealed record TotalMetrics(RequestCounts Counts, RecentRates Recent, ProcessUsage Usage);

/// <summary>Request, connection and TLS counts (counters only grow; <c>Active…</c> are gauges).</summary>
/// <param name="Requests">Requests finished (<c>http.server.request.duration</c> count).</param>
/// <param name="RequestsHttp1">Of those, over HTTP/1.x.</param>
/// <param name="RequestsHttp2">Of those, over HTTP/2.</param>
/// <param name="Responses4xx">Of those, with a 4xx status.</param>
/// <param name="Responses5xx">Of those, with a 5xx status.</param>
/// <param name="ActiveRequests">Requests in flight.</param>
/// <param name="ActiveConnections">Open connections.</param>
/// <param name="Connections">Connections opened.</param>
/// <param name="TlsHandshakes">TLS handshakes finished.</param>
/// <param name="TlsHandshakesFailed">Of those, failed.</param>
/// <param name="RejectedConnections">Connections refused over Kestrel's connection limit.</param>
/// <param name="RequestsDrained">Requests finished while their worker drained (reload, recycle, scale down, stop).</param>
/// <param name="DurationBuckets">Requests per duration bucket (not cumulative; bounds in <see cref="MetricsSnapshot.DurationBounds"/>).</param>
/// <param name="DurationSumSeconds">The sum of the request durations.</param>
/// <param name="DurationBucketSums">The sum of the durations in each bucket (seconds): the Prometheus exporter replays buckets with it; not sent.</param>
/// <param name="Runtime">The .NET runtime's counts (GC, thread pool, exceptions).</param>
/// <param name="TlsHandshakeBuckets">TLS handshakes per duration bucket (<c>kestrel.tls_handshake.duration</c>, the bounds of <see cref="MetricsSnapshot.DurationBounds"/>): for the Prometheus exporter; not sent.</param>
/// <param name="TlsHandshakeBucketSums">The sum of the handshake durations in each bucket (seconds); not sent.</param>
internal sealed record RequestCounts(
    long Requests,
    long RequestsHttp1,
    long RequestsHttp2,
    long Responses4xx,
    long Responses5xx,
    long ActiveRequests,
    long ActiveConnections,
    long Connections,
    long TlsHandshakes,
    long TlsHandshakesFailed,
    long RejectedConnections,
    long RequestsDrained,
    IReadOnlyList<long> DurationBuckets,
    double DurationSumSeconds,
    [property: JsonIgnore] IReadOnlyList<double> DurationBucketSums,
    RuntimeCounts Runtime,
    [property: JsonIgnore] IReadOnlyList<long>? TlsHandshakeBuckets = null,
    [property: JsonIgnore] IReadOnlyList<double>? TlsHandshakeBucketSums = null);

/// <summary>The .NET runtime in the workers, sampled every second (as the <c>System.Runtime</c> meter reports it).</summary>
/// <param name="GcCollections">Collections of generation 0, 1 and 2.</param>
/// <param name="GcAllocatedBytes">Bytes allocated.</param>
/// <param name="GcHeapBytes">Heap size after the last collection (gauge).</param>
/// <param name="ThreadPoolThreads">Thread-pool threads (gauge).</param>
/// <param name="ThreadPoolQueueLength">Queued work items (gauge).</param>
/// <param name="ThreadPoolWorkItems">Completed work items.</param>
/// <param name="Exceptions">Exceptions thrown.</param>
/// <param name="LockContentions">Lock contentions.</param>
internal sealed record RuntimeCounts(
    IReadOnlyList<long> GcCollections,
    long GcAllocatedBytes,
    long GcHeapBytes,
    long ThreadPoolThreads,
    long ThreadPoolQueueLength,
    long ThreadPoolWorkItems,
    long Exceptions,
    long LockContentions);

/// <summary>Rates and latency over a window of one second or more (the first snapshot has none).</summary>
/// <param name="WindowSeconds">The window; 0 when there is no earlier sample yet.</param>
/// <param name="RequestsPerSecond">Requests finished per second.</param>
/// <param name="Http1PerSecond">Of those, HTTP/1.x.</param>
/// <param name="Http2PerSecond">Of those, HTTP/2.</param>
/// <param name="TlsHandshakesPerSecond">TLS handshakes per second.</param>
/// <param name="TlsFailuresPerSecond">Failed TLS handshakes per second.</param>
/// <param name="P50Seconds">Median request duration in the window (bucket interpolation, as Prometheus' histogram_quantile); null without requests.</param>
/// <param name="P99Seconds">99th percentile, likewise.</param>
internal sealed record RecentRates(
    double WindowSeconds,
    double RequestsPerSecond,
    double Http1PerSecond,
    double Http2PerSecond,
    double TlsHandshakesPerSecond,
    double TlsFailuresPerSecond,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? P50Seconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? P99Seconds);

/// <summary>What the supervisor did since the primary started (from its log events, by event id).</summary>
/// <param name="WorkerStarts">Worker processes started (hot spares included).</param>
/// <param name="WorkerExits">Workers that exited when asked (reload, recycle, scale, stop).</param>
/// <param name="WorkerCrashes">Workers that exited unasked (crash, kill, heartbeat or boot timeout).</param>
/// <param name="HeartbeatKills">Workers killed for missing heartbeats.</param>
/// <param name="Respawns">Crashed workers replaced (restart after backoff, or a spare promoted).</param>
/// <param name="Reloads">Rolling reloads completed.</param>
/// <param name="ReloadsAborted">Rolling reloads aborted.</param>
/// <param name="Recycles">Workers recycled (max requests, memory or age).</param>
/// <param name="CertificateReloads">Certificate reloads in the workers.</param>
/// <param name="Scales">Scale operations completed.</param>
internal sealed record SupervisionCounts(
    long WorkerStarts,
    long WorkerExits,
    long WorkerCrashes,
    long HeartbeatKills,
    long Respawns,
    long Reloads,
    long ReloadsAborted,
    long Recycles,
    long CertificateReloads,
    long Scales);

/// <summary>One supervision event (a log line of the primary's supervisor at Information or above).</summary>
/// <param name="Time">When.</param>
/// <param name="EventId">The log event id (docs: event ids).</param>
/// <param name="Event">The log event name (WorkerForked, WorkerExited, ReloadCompleted…).</param>
/// <param name="Level">Information, Warning, Error or Critical.</param>
/// <param name="Message">The log line's text.</param>
/// <param name="WorkerId">The worker it is about, when there is one.</param>
internal sealed record SupervisionEntry(DateTimeOffset Time, int EventId, string Event, string Level, string Message, int? WorkerId = null);
