using Prometheus;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// The admin listener's <c>/metrics</c>: the instance's snapshot in the Prometheus text format, written by
/// prometheus-net (its own registry, no default collectors). Names are the OpenTelemetry semantic conventions' as
/// OpenTelemetry's Prometheus exporters spell them (<c>http.server.request.duration</c> in seconds →
/// <c>http_server_request_duration_seconds</c>); Roost's own start with <c>roost_</c>. The <c>worker</c> label is the
/// slot (0 … workers−1, like PM2's instance id): a replacement worker continues its slot's counters, so they never go
/// backwards and the number of series stays bounded however often workers are replaced.
/// </summary>
/// <remarks>
/// Counters are set to the snapshot's cumulative values (<c>IncTo</c>); the duration histogram is advanced by each
/// bucket's new requests, observed at the mean of their durations, so counts and sums are exact. One scrape at a time
/// (the histogram advances by differences).
/// </remarks>
internal sealed class PrometheusExporter
{
    private static readonly string[] Worker = ["worker"];

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<CancellationToken, Task<MetricsSnapshot>> _snapshot;
    private readonly Dictionary<int, (long[] Counts, double[] Sums)> _exported = [];
    private readonly Dictionary<int, (long[] Counts, double[] Sums)> _exportedTls = [];
    private readonly HashSet<string> _liveSlots = [];
    private readonly Histogram _duration;
    private readonly Histogram _tlsDuration;
    private readonly Counter _requests;
    private readonly Counter _responses;
    private readonly Gauge _activeRequests;
    private readonly Gauge _activeConnections;
    private readonly Counter _connections;
    private readonly Counter _tlsHandshakes;
    private readonly Counter _tlsFailed;
    private readonly Counter _rejected;
    private readonly Counter _drained;
    private readonly Counter _gcCollections;
    private readonly Counter _gcAllocated;
    private readonly Gauge _gcHeap;
    private readonly Gauge _threads;
    private readonly Gauge _queue;
    private readonly Counter _workItems;
    private readonly Counter _exceptions;
    private readonly Counter _contentions;
    private readonly Gauge _memory;
    private readonly Gauge _cpu;
    private readonly Gauge _restarts;
    private readonly Gauge _generationOfWorker;
    private readonly Counter _starts;
    private readonly Counter _exits;
    private readonly Counter _heartbeatKills;
    private readonly Counter _respawns;
    private readonly Counter _reloads;
    private readonly Counter _recycles;
    private readonly Counter _certificateReloads;
    private readonly Counter _scales;
    private readonly Gauge _generation;
    private readonly Gauge _workers;
    private readonly Gauge _targetWorkers;
    private readonly Gauge _primaryMemory;

    public PrometheusExporter(Func<CancellationToken, Task<MetricsSnapshot>> snapshot)
    {
        _snapshot = snapshot;
        var f = Prometheus.Metrics.WithCustomRegistry(_registry);
        _duration = f.CreateHistogram("http_server_request_duration_seconds", "Duration of HTTP server requests (http.server.request.duration).", Worker, new HistogramConfiguration { Buckets = MetricsBlock.DurationBounds });
        _tlsDuration = f.CreateHistogram("kestrel_tls_handshake_duration_seconds", "Duration of TLS handshakes on the server (kestrel.tls_handshake.duration), failed ones included.", Worker, new HistogramConfiguration { Buckets = MetricsBlock.DurationBounds });
        _requests = f.CreateCounter("roost_http_server_requests_total", "HTTP requests finished, by protocol version.", ["worker", "network_protocol_version"]);
        _responses = f.CreateCounter("roost_http_server_error_responses_total", "HTTP requests finished with a 4xx or 5xx status.", ["worker", "status_class"]);
        _activeRequests = f.CreateGauge("http_server_active_requests", "HTTP requests in flight (http.server.active_requests).", Worker);
        _activeConnections = f.CreateGauge("kestrel_active_connections", "Open connections (kestrel.active_connections).", Worker);
        _connections = f.CreateCounter("roost_kestrel_connections_total", "Connections opened.", Worker);
        _tlsHandshakes = f.CreateCounter("roost_kestrel_tls_handshakes_total", "TLS handshakes finished (kestrel.tls_handshake.duration count).", Worker);
        _tlsFailed = f.CreateCounter("roost_kestrel_tls_handshake_failures_total", "TLS handshakes that failed (kestrel.tls_handshake.duration with error.type).", Worker);
        _rejected = f.CreateCounter("kestrel_rejected_connections_total", "Connections rejected over the connection limit (kestrel.rejected_connections).", Worker);
        _drained = f.CreateCounter("roost_requests_drained_total", "Requests finished while their worker drained (reload, recycle, scale down, stop).", Worker);
        _gcCollections = f.CreateCounter("dotnet_gc_collections_total", "Garbage collections (dotnet.gc.collections).", ["worker", "gc_heap_generation"]);
        _gcAllocated = f.CreateCounter("dotnet_gc_heap_total_allocated_bytes_total", "Bytes allocated on the GC heap (dotnet.gc.heap.total_allocated).", Worker);
        _gcHeap = f.CreateGauge("dotnet_gc_last_collection_heap_size_bytes", "GC heap size after the last collection (dotnet.gc.last_collection.heap.size).", Worker);
        _threads = f.CreateGauge("dotnet_thread_pool_thread_count", "Thread-pool threads (dotnet.thread_pool.thread.count).", Worker);
        _queue = f.CreateGauge("dotnet_thread_pool_queue_length", "Queued thread-pool work items (dotnet.thread_pool.queue.length).", Worker);
        _workItems = f.CreateCounter("dotnet_thread_pool_work_item_count_total", "Completed thread-pool work items (dotnet.thread_pool.work_item.count).", Worker);
        _exceptions = f.CreateCounter("dotnet_exceptions_total", "Exceptions thrown (dotnet.exceptions).", Worker);
        _contentions = f.CreateCounter("dotnet_monitor_lock_contentions_total", "Lock contentions (dotnet.monitor.lock_contentions).", Worker);
        _memory = f.CreateGauge("process_memory_usage_bytes", "Resident memory of the worker processes in the slot (process.memory.usage).", Worker);
        _cpu = f.CreateGauge("process_cpu_utilization_ratio", "CPU time per second of the worker processes in the slot, over the last second or more (process.cpu.utilization; 1 = one core).", Worker);
        _restarts = f.CreateGauge("roost_worker_restarts", "Respawns of the slot's worker.", Worker);
        _generationOfWorker = f.CreateGauge("roost_worker_generation", "Generation of the slot's newest worker.", Worker);
        _starts = f.CreateCounter("roost_cluster_worker_starts_total", "Worker processes started (hot spares included).");
        _exits = f.CreateCounter("roost_cluster_worker_exits_total", "Worker exits: asked (reload, recycle, scale, stop) or unexpected (crash, kill, missed heartbeats).", ["cause"]);
        _heartbeatKills = f.CreateCounter("roost_cluster_heartbeat_kills_total", "Workers killed for missing heartbeats.");
        _respawns = f.CreateCounter("roost_cluster_respawns_total", "Crashed workers replaced (restart after backoff, or a hot spare promoted).");
        _reloads = f.CreateCounter("roost_cluster_reloads_total", "Rolling reloads, by outcome.", ["outcome"]);
        _recycles = f.CreateCounter("roost_cluster_recycles_total", "Workers recycled (max requests, memory or age).");
        _certificateReloads = f.CreateCounter("roost_cluster_certificate_reloads_total", "Certificate reloads in the workers.");
        _scales = f.CreateCounter("roost_cluster_scales_total", "Scale operations completed.");
        _generation = f.CreateGauge("roost_cluster_generation", "The current generation.");
        _workers = f.CreateGauge("roost_cluster_workers", "Worker processes, by state.", ["state"]);
        _targetWorkers = f.CreateGauge("roost_cluster_target_workers", "The worker count respawns keep.");
        _primaryMemory = f.CreateGauge("roost_primary_memory_usage_bytes", "Resident memory of the primary.");
    }

    /// <summary>Writes the metrics of a fresh snapshot to <paramref name="output"/>.</summary>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await _snapshot(cancellationToken).ConfigureAwait(false);
            Update(snapshot);
            await _registry.CollectAndExportAsTextAsync(output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Update(MetricsSnapshot snapshot)
    {
        foreach (var slot in snapshot.Slots)
        {
            UpdateSlot(slot.Slot, slot.Counts);
        }

        UpdateProcesses(snapshot);
        var s = snapshot.Supervision;
        _starts.IncTo(s.WorkerStarts);
        _exits.WithLabels("asked").IncTo(s.WorkerExits);
        _exits.WithLabels("unexpected").IncTo(s.WorkerCrashes);
        _heartbeatKills.IncTo(s.HeartbeatKills);
        _respawns.IncTo(s.Respawns);
        _reloads.WithLabels("completed").IncTo(s.Reloads);
        _reloads.WithLabels("aborted").IncTo(s.ReloadsAborted);
        _recycles.IncTo(s.Recycles);
        _certificateReloads.IncTo(s.CertificateReloads);
        _scales.IncTo(s.Scales);
        _generation.Set(snapshot.Generation);
        _targetWorkers.Set(snapshot.TargetWorkers);
        foreach (var state in (string[])["starting", "ready", "draining", "spare"])
        {
            _workers.WithLabels(state).Set(snapshot.Workers.Count(w => w.State == state));
        }

        if (snapshot.Primary.RssBytes is { } primaryRss)
        {
            _primaryMemory.Set(primaryRss);
        }
    }

    private void UpdateSlot(int slot, RequestCounts c)
    {
        var worker = slot.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AdvanceHistogram(_duration.WithLabels(worker), _exported, slot, c.DurationBuckets, c.DurationBucketSums);
        if (c is { TlsHandshakeBuckets: { } tlsBuckets, TlsHandshakeBucketSums: { } tlsSums })
        {
            AdvanceHistogram(_tlsDuration.WithLabels(worker), _exportedTls, slot, tlsBuckets, tlsSums);
        }

        _requests.WithLabels(worker, "1.1").IncTo(c.RequestsHttp1);
        _requests.WithLabels(worker, "2").IncTo(c.RequestsHttp2);
        _responses.WithLabels(worker, "4xx").IncTo(c.Responses4xx);
        _responses.WithLabels(worker, "5xx").IncTo(c.Responses5xx);
        _activeRequests.WithLabels(worker).Set(c.ActiveRequests);
        _activeConnections.WithLabels(worker).Set(c.ActiveConnections);
        _connections.WithLabels(worker).IncTo(c.Connections);
        _tlsHandshakes.WithLabels(worker).IncTo(c.TlsHandshakes);
        _tlsFailed.WithLabels(worker).IncTo(c.TlsHandshakesFailed);
        _rejected.WithLabels(worker).IncTo(c.RejectedConnections);
        _drained.WithLabels(worker).IncTo(c.RequestsDrained);
        var r = c.Runtime;
        for (var generation = 0; generation < r.GcCollections.Count; generation++)
        {
            _gcCollections.WithLabels(worker, "gen" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(r.GcCollections[generation]);
        }

        _gcAllocated.WithLabels(worker).IncTo(r.GcAllocatedBytes);
        _gcHeap.WithLabels(worker).Set(r.GcHeapBytes);
        _threads.WithLabels(worker).Set(r.ThreadPoolThreads);
        _queue.WithLabels(worker).Set(r.ThreadPoolQueueLength);
        _workItems.WithLabels(worker).IncTo(r.ThreadPoolWorkItems);
        _exceptions.WithLabels(worker).IncTo(r.Exceptions);
        _contentions.WithLabels(worker).IncTo(r.LockContentions);
    }

    /// <summary>Replays what a slot's buckets gained since the last scrape into <paramref name="child"/>: per bucket, its new count at the mean of its new durations.</summary>
    private static void AdvanceHistogram(Histogram.Child child, Dictionary<int, (long[] Counts, double[] Sums)> exported, int slot, IReadOnlyList<long> buckets, IReadOnlyList<double> sums)
    {
        if (!exported.TryGetValue(slot, out var done))
        {
            done = (new long[buckets.Count], new double[buckets.Count]);
            exported[slot] = done;
        }

        var bounds = MetricsBlock.DurationBounds;
        for (var i = 0; i < buckets.Count; i++)
        {
            var count = buckets[i] - done.Counts[i];
            if (count <= 0)
            {
                continue;
            }

            // The mean of the bucket's new durations lies inside the bucket; clamp against rounding at its edges.
            var lower = i == 0 ? 0 : bounds[i - 1];
            var upper = i < bounds.Length ? bounds[i] : double.MaxValue;
            var mean = (sums[i] - done.Sums[i]) / count;
            child.Observe(Math.Clamp(mean, Math.BitIncrement(lower), upper), count);
            done.Counts[i] = buckets[i];
            done.Sums[i] = sums[i];
        }
    }

    private void UpdateProcesses(MetricsSnapshot snapshot)
    {
        var live = new HashSet<string>();
        foreach (var group in snapshot.Workers.Where(w => w.Slot is not null).GroupBy(w => w.Slot!.Value))
        {
            var worker = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            live.Add(worker);
            _memory.WithLabels(worker).Set(group.Sum(w => w.Usage.RssBytes ?? 0));
            _cpu.WithLabels(worker).Set(Math.Round(group.Sum(w => w.Usage.CpuPercent ?? 0) / 100, 4));
            _restarts.WithLabels(worker).Set(group.Max(w => w.Restarts));
            _generationOfWorker.WithLabels(worker).Set(group.Max(w => w.Generation));
        }

        // A slot removed by scaling down has no process: its gauges go, its counters stay (they never go backwards).
        foreach (var gone in _liveSlots.Where(s => !live.Contains(s)).ToList())
        {
            _memory.RemoveLabelled(gone);
            _cpu.RemoveLabelled(gone);
            _restarts.RemoveLabelled(gone);
            _generationOfWorker.RemoveLabelled(gone);
        }

        _liveSlots.Clear();
        _liveSlots.UnionWith(live);
    }
}
