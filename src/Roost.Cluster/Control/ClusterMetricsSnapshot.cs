using System.Text.Json;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Metrics;

namespace Roost.Control;

/// <summary>
/// A running primary's answer to <see cref="ControlClient.GetMetricsAsync"/>: the whole instance at one moment, as
/// <c>roost top</c> shows it (per worker requests, rates, latency, connections, CPU, memory; totals; recent supervision
/// events). Rates, latency and CPU % are the primary's, over its last second or more.
/// </summary>
public sealed class ClusterMetricsSnapshot
{
    private readonly MetricsSnapshot _snapshot;

    internal ClusterMetricsSnapshot(MetricsSnapshot snapshot)
    {
        _snapshot = snapshot;
        Workers = [.. snapshot.Workers.Select(w => new WorkerMetricsSnapshot(w))];
        Totals = new TrafficMetrics(snapshot.Totals.Counts, snapshot.Totals.Recent, snapshot.Totals.Usage);
        Events = [.. snapshot.Events.Select(e => new SupervisionEvent(e.Time, e.EventId, e.Event, e.Level, e.Message, e.WorkerId))];
    }

    /// <summary>Gets the instance name (the control socket's), or an empty string.</summary>
    public string Name => _snapshot.Name;

    /// <summary>Gets the primary's process id.</summary>
    public int Pid => _snapshot.Pid;

    /// <summary>Gets when the primary took the snapshot.</summary>
    public DateTimeOffset Time => _snapshot.Time;

    /// <summary>Gets when the primary started.</summary>
    public DateTimeOffset StartedAt => _snapshot.StartedAt;

    /// <summary>Gets the current generation.</summary>
    public int Generation => _snapshot.Generation;

    /// <summary>Gets the worker count respawns keep.</summary>
    public int TargetWorkers => _snapshot.TargetWorkers;

    /// <summary>Gets the cluster's state: <c>running</c>, <c>stopping</c> or <c>stopped</c>.</summary>
    public string State => _snapshot.State;

    /// <summary>Gets the operation that runs (<c>reload</c>, <c>scale</c>…), or <see langword="null"/> for none.</summary>
    public string? Operation => _snapshot.Operation;

    /// <summary>Gets the primary process's own CPU use (% of one core; <see langword="null"/> before a second sample).</summary>
    public double? PrimaryCpuPercent => _snapshot.Primary.CpuPercent;

    /// <summary>Gets the primary process's resident memory in bytes (<see langword="null"/> when unknown).</summary>
    public long? PrimaryRssBytes => _snapshot.Primary.RssBytes;

    /// <summary>Gets the live workers by slot then id, then the hot spares (state <c>spare</c>, no slot).</summary>
    public IReadOnlyList<WorkerMetricsSnapshot> Workers { get; }

    /// <summary>
    /// Gets the whole instance: request counts since the primary started (they never go backwards), gauges and CPU and
    /// memory of the live workers together.
    /// </summary>
    public TrafficMetrics Totals { get; }

    /// <summary>Gets the last supervision events (worker started, exited, reload finished…), oldest first.</summary>
    public IReadOnlyList<SupervisionEvent> Events { get; }

    /// <summary>
    /// Returns the whole snapshot as the JSON object the control socket's <c>metrics</c> request answers with (every
    /// figure, including per-slot counts, duration buckets and runtime counts; schema in docs/metrics.md).
    /// </summary>
    /// <returns>One line of JSON.</returns>
    public string ToJson() => JsonSerializer.Serialize(_snapshot, ControlJsonContext.Default.MetricsSnapshot);
}
