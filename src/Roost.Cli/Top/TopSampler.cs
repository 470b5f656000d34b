using Roost.Internal.Control;
using Roost.Internal.Metrics;

namespace Roost.Cli.Top;

/// <summary>
/// Samples a primary over its control socket (the <c>metrics</c> snapshot: docs/metrics.md) and turns it into a
/// <see cref="TopFrame"/>. Rates, latency and CPU % are the primary's, over its last second or more.
/// </summary>
internal sealed class TopSampler(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Takes one sample and returns the frame.</summary>
    /// <exception cref="ControlConnectException">No primary answers at <see cref="Directory"/>.</exception>
    /// <exception cref="IOException">The primary closed the connection without a snapshot, or sent an error.</exception>
    public async Task<TopFrame> SampleAsync(CancellationToken cancellationToken)
    {
        MetricsSnapshot? snapshot = null;
        using (var client = ControlClient.Connect(Directory))
        {
            await foreach (var response in client.ExchangeAsync(new ControlRequest.Metrics(), cancellationToken).ConfigureAwait(false))
            {
                if (response is ControlResponse.Error error)
                {
                    throw new IOException(error.Message);
                }

                snapshot = (response as ControlResponse.MetricsReport)?.Metrics ?? snapshot;
            }
        }

        return snapshot is null
            ? throw new IOException(Roost.Internal.ClusterErrorMessages.ConnectionClosed(RunDirectory.SocketPath(Directory)))
            : Build(snapshot);
    }

    /// <summary>The frame of <paramref name="snapshot"/>.</summary>
    internal static TopFrame Build(MetricsSnapshot snapshot)
    {
        var rows = snapshot.Workers.Select(w => Row(w.Id, w.Pid, w.Generation, w.State, w.Counts, w.Recent, w.Usage, w.Restarts, w.UptimeSeconds)).ToList();
        var total = Row(0, 0, snapshot.Generation, snapshot.State, snapshot.Totals.Counts, snapshot.Totals.Recent, snapshot.Totals.Usage,
            snapshot.Workers.Where(w => w.State != "spare").Sum(w => w.Restarts), (snapshot.Time - snapshot.StartedAt).TotalSeconds);
        return new TopFrame(snapshot.Name, snapshot.Pid, snapshot.State, snapshot.Generation, snapshot.TargetWorkers, snapshot.Operation, rows, total, snapshot.Events, snapshot.Time);
    }

    private static TopRow Row(int id, int pid, int generation, string state, RequestCounts counts, RecentRates recent, ProcessUsage usage, int restarts, double uptime)
    {
        // Before the primary has two samples there is no window: no rate yet (shown as -), not a rate of 0.
        var hasWindow = recent.WindowSeconds > 0;
        var perSecond = recent.Http1PerSecond + recent.Http2PerSecond;
        return new TopRow(
            id,
            pid,
            generation,
            state,
            hasWindow ? recent.RequestsPerSecond : null,
            counts.Requests,
            recent.P50Seconds * 1000,
            recent.P99Seconds * 1000,
            counts.ActiveConnections,
            perSecond > 0 ? recent.Http1PerSecond / perSecond : counts.Requests > 0 ? (double)counts.RequestsHttp1 / counts.Requests : null,
            usage.CpuPercent,
            usage.RssBytes,
            restarts,
            uptime);
    }
}
