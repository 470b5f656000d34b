using Roost.Internal.Control;

namespace Roost.Cli.Top;

/// <summary>
/// Samples a primary over its control socket (<c>status</c> with events) and turns successive samples into
/// <see cref="TopFrame"/>s: requests per second from the workers' request counts over a window, CPU % from
/// <c>/proc</c> between two samples.
/// </summary>
internal sealed class TopSampler(string directory, TimeProvider time)
{
    // Workers report their request count with each heartbeat (every 5 s by default): a rate over less than two
    // heartbeats jumps between 0 and twice the truth, so it is taken over the samples of the last 10 s.
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    private readonly Dictionary<int, Queue<(DateTimeOffset At, long Requests)>> _requests = [];
    private readonly Dictionary<int, (DateTimeOffset At, double Seconds)> _cpu = [];

    public string Directory { get; } = directory;

    /// <summary>Takes one sample and returns the frame.</summary>
    /// <exception cref="ControlConnectException">No primary answers at <see cref="Directory"/>.</exception>
    /// <exception cref="IOException">The primary closed the connection without a status (or sent an error).</exception>
    public async Task<TopFrame> SampleAsync(CancellationToken cancellationToken)
    {
        ControlResponse.StatusReport? status = null;
        using (var client = ControlClient.Connect(Directory))
        {
            await foreach (var response in client.ExchangeAsync(new ControlRequest.Status(Events: true), cancellationToken).ConfigureAwait(false))
            {
                if (response is ControlResponse.Error error)
                {
                    throw new IOException(error.Message);
                }

                status = response as ControlResponse.StatusReport ?? status;
            }
        }

        if (status is null)
        {
            throw new IOException(Roost.Internal.ClusterErrorMessages.ConnectionClosed(RunDirectory.SocketPath(Directory)));
        }

        return Build(status, time.GetUtcNow());
    }

    /// <summary>Builds the frame of <paramref name="status"/> taken at <paramref name="now"/> (after the earlier samples).</summary>
    internal TopFrame Build(ControlResponse.StatusReport status, DateTimeOffset now)
    {
        var rows = new List<TopRow>(status.Workers.Count);
        foreach (var worker in status.Workers)
        {
            rows.Add(new TopRow(
                worker.Id,
                worker.Pid,
                worker.Generation,
                worker.State,
                Rate(worker.Id, worker.Requests, now),
                worker.Requests,
                P50Milliseconds: null,
                P99Milliseconds: null,
                ActiveConnections: null,
                Http1Share: null,
                Cpu(worker.Pid, now),
                worker.RssBytes,
                worker.Restarts,
                worker.UptimeSeconds));
        }

        Forget(status.Workers);
        var serving = rows.Where(r => r.State != "spare").ToList();
        var total = new TopRow(
            0,
            0,
            status.Generation,
            status.State,
            Sum(serving.Select(r => r.RequestsPerSecond)),
            serving.Sum(r => r.Requests),
            null,
            null,
            Sum(serving.Select(r => (double?)r.ActiveConnections)) is { } connections ? (long)connections : null,
            null,
            Sum(rows.Select(r => r.CpuPercent)),
            rows.All(r => r.RssBytes is null) ? null : rows.Sum(r => r.RssBytes ?? 0),
            serving.Sum(r => r.Restarts),
            (now - status.StartedAt).TotalSeconds);
        return new TopFrame(status.Name, status.Pid, status.State, status.Generation, status.TargetWorkers, status.Operation, rows, total, status.Events ?? [], now);
    }

    private static double? Sum(IEnumerable<double?> values)
    {
        double? sum = null;
        foreach (var value in values)
        {
            if (value is { } v)
            {
                sum = (sum ?? 0) + v;
            }
        }

        return sum;
    }

    private double? Rate(int workerId, long requests, DateTimeOffset now)
    {
        if (!_requests.TryGetValue(workerId, out var history))
        {
            history = new Queue<(DateTimeOffset, long)>();
            _requests[workerId] = history;
        }

        history.Enqueue((now, requests));
        while (history.Count > 2 && now - history.Peek().At > RateWindow)
        {
            history.Dequeue();
        }

        var (at, first) = history.Peek();
        var seconds = (now - at).TotalSeconds;
        return seconds >= 0.5 ? Math.Max(0, requests - first) / seconds : null;
    }

    private double? Cpu(int pid, DateTimeOffset now)
    {
        if (ProcessCpu.ReadSeconds(pid) is not { } seconds)
        {
            _cpu.Remove(pid);
            return null;
        }

        double? percent = null;
        if (_cpu.TryGetValue(pid, out var previous) && (now - previous.At).TotalSeconds >= 0.2)
        {
            percent = Math.Max(0, 100 * (seconds - previous.Seconds) / (now - previous.At).TotalSeconds);
        }

        _cpu[pid] = (now, seconds);
        return percent;
    }

    private void Forget(IReadOnlyList<WorkerStatus> live)
    {
        foreach (var gone in _requests.Keys.Where(id => !live.Any(w => w.Id == id)).ToList())
        {
            _requests.Remove(gone);
        }

        foreach (var gone in _cpu.Keys.Where(pid => !live.Any(w => w.Pid == pid)).ToList())
        {
            _cpu.Remove(gone);
        }
    }
}
