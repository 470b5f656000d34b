using Roost.Clustering.Internal.Metrics;

namespace Roost.Control;

/// <summary>
/// Requests, rates, latency, connections, CPU and memory of one worker or of the whole instance. Counts only grow;
/// <c>Active…</c> are gauges; the rates and percentiles cover the primary's last window of one second or more.
/// </summary>
public sealed class TrafficMetrics
{
    private readonly RequestCounts _counts;
    private readonly RecentRates _recent;
    private readonly ProcessUsage _usage;

    internal TrafficMetrics(RequestCounts counts, RecentRates recent, ProcessUsage usage)
    {
        _counts = counts;
        _recent = recent;
        _usage = usage;
    }

    /// <summary>Gets the requests finished.</summary>
    public long Requests => _counts.Requests;

    /// <summary>Gets the requests finished over HTTP/1.x.</summary>
    public long RequestsHttp1 => _counts.RequestsHttp1;

    /// <summary>Gets the requests finished over HTTP/2.</summary>
    public long RequestsHttp2 => _counts.RequestsHttp2;

    /// <summary>Gets the responses with a 4xx status.</summary>
    public long Responses4xx => _counts.Responses4xx;

    /// <summary>Gets the responses with a 5xx status.</summary>
    public long Responses5xx => _counts.Responses5xx;

    /// <summary>Gets the requests in flight.</summary>
    public long ActiveRequests => _counts.ActiveRequests;

    /// <summary>Gets the open connections.</summary>
    public long ActiveConnections => _counts.ActiveConnections;

    /// <summary>Gets the connections opened.</summary>
    public long Connections => _counts.Connections;

    /// <summary>Gets the TLS handshakes finished.</summary>
    public long TlsHandshakes => _counts.TlsHandshakes;

    /// <summary>Gets the TLS handshakes that failed.</summary>
    public long TlsHandshakesFailed => _counts.TlsHandshakesFailed;

    /// <summary>Gets the seconds the rates cover; 0 when the primary has no earlier sample yet (no rate is known).</summary>
    public double WindowSeconds => _recent.WindowSeconds;

    /// <summary>Gets the requests finished per second.</summary>
    public double RequestsPerSecond => _recent.RequestsPerSecond;

    /// <summary>Gets the HTTP/1.x requests finished per second.</summary>
    public double Http1PerSecond => _recent.Http1PerSecond;

    /// <summary>Gets the HTTP/2 requests finished per second.</summary>
    public double Http2PerSecond => _recent.Http2PerSecond;

    /// <summary>Gets the median request duration in seconds; <see langword="null"/> without requests in the window.</summary>
    public double? P50Seconds => _recent.P50Seconds;

    /// <summary>Gets the 99th percentile request duration in seconds; <see langword="null"/> without requests in the window.</summary>
    public double? P99Seconds => _recent.P99Seconds;

    /// <summary>Gets the CPU use in % of one core; <see langword="null"/> before a second sample.</summary>
    public double? CpuPercent => _usage.CpuPercent;

    /// <summary>Gets the resident memory in bytes; <see langword="null"/> when unknown.</summary>
    public long? RssBytes => _usage.RssBytes;
}
