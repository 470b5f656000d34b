namespace Roost.Clustering.Internal.Metrics;

/// <summary>Building a <see cref="MetricsSnapshot"/>.</summary>
internal sealed partial class ClusterMetrics
{
    /// <summary>The slots that count (they are folded when a worker retires); the others are gauges or bookkeeping.</summary>
    private static readonly int[] CounterSlots = [.. Enumerable.Range(0, MetricsBlock.Length).Where(i => i is not (MetricsBlock.Slots.Marker
        or MetricsBlock.Slots.ActiveRequests or MetricsBlock.Slots.ActiveConnections or MetricsBlock.Slots.Counting
        or MetricsBlock.Slots.ThreadPoolThreads or MetricsBlock.Slots.ThreadPoolQueueLength or MetricsBlock.Slots.GcHeapBytes))];

    /// <summary>Builds the snapshot of <paramref name="workers"/> (live processes) at <paramref name="now"/>.</summary>
    public MetricsSnapshot Build(SnapshotHeader header, IReadOnlyList<LiveWorker> workers, DateTimeOffset now)
    {
        var perWorker = new List<WorkerMetrics>(workers.Count);
        var slots = new SortedDictionary<int, long[]>();
        foreach (var (slot, retired) in _retired)
        {
            slots[slot] = (long[])retired.Clone();
        }

        var total = (long[])_retiredTotal.Clone();
        double totalCpuSeconds = 0;
        double? totalCpuPercent = null;
        long? totalRss = null;
        foreach (var worker in workers)
        {
            var values = Read(worker.Id);
            var cpu = ProcessCpu.ReadSeconds(worker.Pid);
            var rss = ReadRss(worker.Pid);
            if (!_windows.TryGetValue(worker.Id, out var window))
            {
                window = new RateWindow();
                _windows[worker.Id] = window;
            }

            var recent = Recent(window, now, values, cpu ?? 0, out var cpuPercent);
            perWorker.Add(new WorkerMetrics(
                worker.Id, worker.Pid, worker.Slot, worker.Generation, worker.State, worker.StartedAt,
                Math.Round((now - worker.StartedAt).TotalSeconds, 1), worker.Restarts, new ProcessUsage(cpu is null ? null : cpuPercent, rss),
                Counts(values), recent));

            totalCpuSeconds += cpu ?? 0;
            if (cpu is not null && cpuPercent is not null)
            {
                totalCpuPercent = (totalCpuPercent ?? 0) + cpuPercent;
            }

            totalRss = rss is null ? totalRss : (totalRss ?? 0) + rss;
            if (worker.Slot is not { } slotNumber)
            {
                // A hot spare: not serving, not counted (its block's counters stay at zero until it is promoted).
                continue;
            }

            if (!slots.TryGetValue(slotNumber, out var slotValues))
            {
                slotValues = new long[MetricsBlock.Length];
                slots[slotNumber] = slotValues;
            }

            for (var i = 0; i < values.Length; i++)
            {
                slotValues[i] += values[i];
                total[i] += values[i];
            }
        }

        var totalRecent = Recent(_totalWindow, now, total, 0, out _);
        var primaryCpu = ProcessCpu.ReadSeconds(Environment.ProcessId);
        _ = Recent(_primaryWindow, now, [], primaryCpu ?? 0, out var primaryPercent);
        return new MetricsSnapshot(
            header.Name,
            Environment.ProcessId,
            now,
            header.StartedAt,
            header.Generation,
            header.TargetWorkers,
            header.State,
            header.Operation,
            new ProcessUsage(primaryCpu is null ? null : primaryPercent, ReadRss(Environment.ProcessId)),
            perWorker,
            [.. slots.Select(s => new SlotMetrics(s.Key, Counts(s.Value)))],
            new TotalMetrics(Counts(total), totalRecent, new ProcessUsage(totalCpuPercent, totalRss)),
            MetricsBlock.DurationBounds,
            Supervision.Counts(),
            Supervision.Entries());
    }

    private static long? ReadRss(int pid) => Roost.Clustering.Internal.Supervision.ProcessMemory.ReadRssBytes(pid);

    private static RequestCounts Counts(long[] v)
    {
        var buckets = new long[MetricsBlock.BucketCount];
        var sums = new double[MetricsBlock.BucketCount];
        var tlsBuckets = new long[MetricsBlock.BucketCount];
        var tlsSums = new double[MetricsBlock.BucketCount];
        long sumNanoseconds = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = v[MetricsBlock.FirstBucket + i];
            sumNanoseconds += v[MetricsBlock.FirstBucket + MetricsBlock.BucketCount + i];
            sums[i] = v[MetricsBlock.FirstBucket + MetricsBlock.BucketCount + i] / 1e9;
            tlsBuckets[i] = v[MetricsBlock.FirstTlsBucket + i];
            tlsSums[i] = v[MetricsBlock.FirstTlsBucket + MetricsBlock.BucketCount + i] / 1e9;
        }

        return new RequestCounts(
            v[MetricsBlock.Slots.Requests],
            v[MetricsBlock.Slots.RequestsHttp1],
            v[MetricsBlock.Slots.RequestsHttp2],
            v[MetricsBlock.Slots.Responses4xx],
            v[MetricsBlock.Slots.Responses5xx],
            v[MetricsBlock.Slots.ActiveRequests],
            v[MetricsBlock.Slots.ActiveConnections],
            v[MetricsBlock.Slots.Connections],
            v[MetricsBlock.Slots.TlsHandshakes],
            v[MetricsBlock.Slots.TlsHandshakesFailed],
            v[MetricsBlock.Slots.RejectedConnections],
            v[MetricsBlock.Slots.RequestsDrained],
            buckets,
            sumNanoseconds / 1e9,
            sums,
            new RuntimeCounts(
                [v[MetricsBlock.Slots.GcCollections0], v[MetricsBlock.Slots.GcCollections1], v[MetricsBlock.Slots.GcCollections2]],
                v[MetricsBlock.Slots.GcAllocatedBytes],
                v[MetricsBlock.Slots.GcHeapBytes],
                v[MetricsBlock.Slots.ThreadPoolThreads],
                v[MetricsBlock.Slots.ThreadPoolQueueLength],
                v[MetricsBlock.Slots.ThreadPoolWorkItems],
                v[MetricsBlock.Slots.Exceptions],
                v[MetricsBlock.Slots.LockContentions]),
            tlsBuckets,
            tlsSums);
    }

    private static RecentRates Recent(RateWindow window, DateTimeOffset now, long[] values, double cpuSeconds, out double? cpuPercent)
    {
        cpuPercent = null;
        if (window.Update(now, values, cpuSeconds) is not { } before)
        {
            return new RecentRates(0, 0, 0, 0, 0, 0, null, null);
        }

        var seconds = before.Seconds;
        cpuPercent = Math.Round(Math.Max(0, cpuSeconds - before.Cpu) / seconds * 100, 1);
        if (values.Length == 0)
        {
            return new RecentRates(seconds, 0, 0, 0, 0, 0, null, null);
        }

        double Rate(int slot) => Math.Max(0, values[slot] - before.Values[slot]) / seconds;
        var buckets = new long[MetricsBlock.BucketCount];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = Math.Max(0, values[MetricsBlock.FirstBucket + i] - before.Values[MetricsBlock.FirstBucket + i]);
        }

        return new RecentRates(
            Math.Round(seconds, 3),
            Rate(MetricsBlock.Slots.Requests),
            Rate(MetricsBlock.Slots.RequestsHttp1),
            Rate(MetricsBlock.Slots.RequestsHttp2),
            Rate(MetricsBlock.Slots.TlsHandshakes),
            Rate(MetricsBlock.Slots.TlsHandshakesFailed),
            HistogramQuantile.Estimate(MetricsBlock.DurationBounds, buckets, 0.5),
            HistogramQuantile.Estimate(MetricsBlock.DurationBounds, buckets, 0.99));
    }

    /// <summary>What the snapshot says about the primary, from the supervisor.</summary>
    internal sealed record SnapshotHeader(string Name, DateTimeOffset StartedAt, int Generation, int TargetWorkers, string State, string? Operation);

    /// <summary>One live worker process, from the supervisor's table.</summary>
    internal sealed record LiveWorker(int Id, int Pid, int? Slot, int Generation, string State, DateTimeOffset StartedAt, int Restarts);
}
