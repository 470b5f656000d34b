using Roost.Clustering.Internal.Metrics;

namespace Roost.Control;

/// <summary>One live worker process in a <see cref="ClusterMetricsSnapshot"/>.</summary>
public sealed class WorkerMetricsSnapshot
{
    private readonly WorkerMetrics _worker;

    internal WorkerMetricsSnapshot(WorkerMetrics worker)
    {
        _worker = worker;
        Traffic = new TrafficMetrics(worker.Counts, worker.Recent, worker.Usage);
    }

    /// <summary>Gets the worker id.</summary>
    public int Id => _worker.Id;

    /// <summary>Gets the process id.</summary>
    public int Pid => _worker.Pid;

    /// <summary>Gets the slot (0 … workers-1); <see langword="null"/> for a hot spare.</summary>
    public int? Slot => _worker.Slot;

    /// <summary>Gets the generation.</summary>
    public int Generation => _worker.Generation;

    /// <summary>Gets the state: <c>starting</c>, <c>ready</c>, <c>draining</c> or <c>spare</c>.</summary>
    public string State => _worker.State;

    /// <summary>Gets when it started (a promoted spare: when it was promoted).</summary>
    public DateTimeOffset StartedAt => _worker.StartedAt;

    /// <summary>Gets the seconds since then.</summary>
    public double UptimeSeconds => _worker.UptimeSeconds;

    /// <summary>Gets the respawns of its slot before it.</summary>
    public int Restarts => _worker.Restarts;

    /// <summary>Gets its requests (since the process started), rates, latency, connections, CPU and memory.</summary>
    public TrafficMetrics Traffic { get; }
}
