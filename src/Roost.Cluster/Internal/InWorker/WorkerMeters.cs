using System.Diagnostics.Metrics;
using Roost.Clustering.Internal.Metrics;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// Feeds this worker's <see cref="MetricsBlock"/> from ASP.NET Core's and Kestrel's own instruments
/// (<c>http.server.request.duration</c>, <c>http.server.active_requests</c>, <c>kestrel.active_connections</c>,
/// <c>kestrel.tls_handshake.duration</c>, <c>kestrel.rejected_connections</c>): façade servers, unmodified apps under
/// <c>roost run</c> and programs using <see cref="Cluster"/> directly are measured alike, with no hook in the request path.
/// </summary>
/// <remarks>
/// The listener costs one callback per measurement; the block's updates are lock-free atomic adds. An unpromoted
/// hot spare does not count (its warm-up request is not traffic) until <see cref="StartCounting"/>.
/// </remarks>
internal sealed class WorkerMeters : IDisposable
{
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    private static readonly TimeSpan RuntimeSampleInterval = TimeSpan.FromSeconds(1);

    private readonly MeterListener _listener = new();
    private readonly MetricsBlock _block;
    private readonly Timer _runtimeSampler;
    private volatile bool _counting;
    private long _drainFrom = -1;
    private long _exceptions;
    private long[] _runtimeBaseline = new long[MetricsBlock.Length];

    public WorkerMeters(MetricsBlock block, bool counting)
    {
        _block = block;
        _counting = counting;
        _block.Set(MetricsBlock.Slots.Counting, counting ? 1 : 0);
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (Kind(instrument) != Instrument.None)
            {
                listener.EnableMeasurementEvents(instrument, Kind(instrument));
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => OnDouble((Instrument)state!, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => OnLong((Instrument)state!, value));
        _listener.Start();
        AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref _exceptions);
        _runtimeSampler = new Timer(static s => ((WorkerMeters)s!).SampleRuntime(), this, TimeSpan.Zero, RuntimeSampleInterval);
    }

    private enum Instrument
    {
        None,
        RequestDuration,
        ActiveRequests,
        ActiveConnections,
        TlsHandshake,
        RejectedConnections,
    }

    /// <summary>Starts counting (a hot spare's promotion).</summary>
    public void StartCounting()
    {
        // The runtime's counters start from here too: a spare's warm-up collections are not the slot's.
        var baseline = new long[MetricsBlock.Length];
        foreach (var (slot, value) in RuntimeCounters())
        {
            baseline[slot] = value;
        }

        _runtimeBaseline = baseline;
        _counting = true;
        _block.Set(MetricsBlock.Slots.Counting, 1);
    }

    /// <summary>Gets the requests finished since the drain began (0 before).</summary>
    public long RequestsDrained() => _block.Read(MetricsBlock.Slots.RequestsDrained);

    /// <summary>Marks the start of the drain: requests finished from now on are also counted as drained.</summary>
    public void MarkDrainStart() => Interlocked.CompareExchange(ref _drainFrom, _block.Read(MetricsBlock.Slots.Requests), -1);

    public void Dispose()
    {
        _runtimeSampler.Dispose();
        _listener.Dispose();
    }

    private void SampleRuntime()
    {
        if (!_counting)
        {
            return;
        }

        var baseline = _runtimeBaseline;
        foreach (var (slot, value) in RuntimeCounters())
        {
            _block.Set(slot, value - baseline[slot]);
        }

        _block.Set(MetricsBlock.Slots.ThreadPoolThreads, ThreadPool.ThreadCount);
        _block.Set(MetricsBlock.Slots.ThreadPoolQueueLength, ThreadPool.PendingWorkItemCount);
        _block.Set(MetricsBlock.Slots.GcHeapBytes, GC.GetGCMemoryInfo().HeapSizeBytes);
    }

    private (int Slot, long Value)[] RuntimeCounters() =>
    [
        (MetricsBlock.Slots.GcCollections0, GC.CollectionCount(0)),
        (MetricsBlock.Slots.GcCollections1, GC.CollectionCount(1)),
        (MetricsBlock.Slots.GcCollections2, GC.CollectionCount(2)),
        (MetricsBlock.Slots.GcAllocatedBytes, GC.GetTotalAllocatedBytes()),
        (MetricsBlock.Slots.ThreadPoolWorkItems, ThreadPool.CompletedWorkItemCount),
        (MetricsBlock.Slots.Exceptions, Interlocked.Read(ref _exceptions)),
        (MetricsBlock.Slots.LockContentions, Monitor.LockContentionCount),
    ];

    private static Instrument Kind(System.Diagnostics.Metrics.Instrument instrument) => (instrument.Meter.Name, instrument.Name) switch
    {
        (HostingMeter, "http.server.request.duration") => Instrument.RequestDuration,
        (HostingMeter, "http.server.active_requests") => Instrument.ActiveRequests,
        (KestrelMeter, "kestrel.active_connections") => Instrument.ActiveConnections,
        (KestrelMeter, "kestrel.tls_handshake.duration") => Instrument.TlsHandshake,
        (KestrelMeter, "kestrel.rejected_connections") => Instrument.RejectedConnections,
        _ => Instrument.None,
    };

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_counting)
        {
            return;
        }

        switch (instrument)
        {
            case Instrument.RequestDuration:
                OnRequest(value, tags);
                break;
            case Instrument.TlsHandshake:
                // Per handshake, not per request: the histogram first, the count last (as for requests).
                _block.RecordTlsHandshake(value);
                _block.Increment(MetricsBlock.Slots.TlsHandshakes);
                if (HasTag(tags, "error.type"))
                {
                    _block.Increment(MetricsBlock.Slots.TlsHandshakesFailed);
                }

                break;
        }
    }

    private void OnRequest(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Order: the histogram and the split first, the total last, so a reader never sees the total ahead of its parts.
        _block.RecordDuration(seconds);
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "network.protocol.version":
                    _block.Increment(tag.Value as string == "2" ? MetricsBlock.Slots.RequestsHttp2 : MetricsBlock.Slots.RequestsHttp1);
                    break;
                case "http.response.status_code" when tag.Value is int status && status >= 400:
                    _block.Increment(status >= 500 ? MetricsBlock.Slots.Responses5xx : MetricsBlock.Slots.Responses4xx);
                    break;
            }
        }

        _block.Increment(MetricsBlock.Slots.Requests);
        if (Volatile.Read(ref _drainFrom) >= 0)
        {
            _block.Increment(MetricsBlock.Slots.RequestsDrained);
        }
    }

    private void OnLong(Instrument instrument, long value)
    {
        switch (instrument)
        {
            // Gauges count in a spare too: its connections are real (none before it listens).
            case Instrument.ActiveRequests:
                _block.Add(MetricsBlock.Slots.ActiveRequests, value);
                break;
            case Instrument.ActiveConnections:
                _block.Add(MetricsBlock.Slots.ActiveConnections, value);
                if (value > 0 && _counting)
                {
                    _block.Add(MetricsBlock.Slots.Connections, value);
                }

                break;
            case Instrument.RejectedConnections when _counting:
                _block.Add(MetricsBlock.Slots.RejectedConnections, value);
                break;
        }
    }

    private static bool HasTag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return true;
            }
        }

        return false;
    }
}
