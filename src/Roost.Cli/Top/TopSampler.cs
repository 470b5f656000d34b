using Roost.Control;

namespace Roost.Cli.Top;

/// <summary>
/// Samples a primary over its control socket (<see cref="ControlClient.GetMetricsAsync"/>: docs/metrics.md) and turns
/// it into a <see cref="TopFrame"/>. Rates, latency and CPU % are the primary's, over its last second or more.
/// </summary>
internal sealed class TopSampler(ControlClient client)
{
    public ControlClient Client { get; } = client;

    /// <summary>Takes one sample and returns the frame.</summary>
    /// <exception cref="ControlConnectException">No primary answers.</exception>
    /// <exception cref="ControlRefusedException">The primary sent an error.</exception>
    /// <exception cref="IOException">The primary closed the connection without a snapshot.</exception>
    public async Task<TopFrame> SampleAsync(CancellationToken cancellationToken) =>
        Build(await Client.GetMetricsAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The frame of <paramref name="snapshot"/>.</summary>
    internal static TopFrame Build(ClusterMetricsSnapshot snapshot)
    {
        var rows = snapshot.Workers.Select(w => Row(w.Id, w.Pid, w.Generation, w.State, w.Traffic, w.Restarts, w.UptimeSeconds)).ToList();
        var total = Row(0, 0, snapshot.Generation, snapshot.State, snapshot.Totals,
            snapshot.Workers.Where(w => w.State != "spare").Sum(w => w.Restarts), (snapshot.Time - snapshot.StartedAt).TotalSeconds);
        return new TopFrame(snapshot.Name, snapshot.Pid, snapshot.State, snapshot.Generation, snapshot.TargetWorkers, snapshot.Operation, rows, total, snapshot.Events, snapshot.Time);
    }

    private static TopRow Row(int id, int pid, int generation, string state, TrafficMetrics traffic, int restarts, double uptime)
    {
        // Before the primary has two samples there is no window: no rate yet (shown as -), not a rate of 0.
        var hasWindow = traffic.WindowSeconds > 0;
        var perSecond = traffic.Http1PerSecond + traffic.Http2PerSecond;
        return new TopRow(
            id,
            pid,
            generation,
            state,
            hasWindow ? traffic.RequestsPerSecond : null,
            traffic.Requests,
            traffic.P50Seconds * 1000,
            traffic.P99Seconds * 1000,
            traffic.ActiveConnections,
            perSecond > 0 ? traffic.Http1PerSecond / perSecond : traffic.Requests > 0 ? (double)traffic.RequestsHttp1 / traffic.Requests : null,
            traffic.CpuPercent,
            traffic.RssBytes,
            restarts,
            uptime);
    }
}
