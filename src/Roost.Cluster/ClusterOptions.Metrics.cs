namespace Roost;

/// <summary>Metrics and the admin listener.</summary>
public sealed partial class ClusterOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether workers count their requests, connections and TLS handshakes for the
    /// primary (a small shared-memory block per worker, fed from ASP.NET Core's and Kestrel's own instruments).
    /// The counts reach <c>roost top</c>, the admin listener and its Prometheus endpoint (docs/metrics.md).
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool CollectMetrics { get; set; } = true;

    /// <summary>Gets the admin listener's settings: an HTTP listener in the primary for metrics and the dashboard, off unless <see cref="ClusterAdminOptions.EndPoint"/> is set.</summary>
    public ClusterAdminOptions Admin { get; private set; } = new();


    /// <summary>
    /// Gets or sets the OpenTelemetry collector that every worker exports its meters to over OTLP (ASP.NET Core's,
    /// Kestrel's, the runtime's and Roost's), each as its own <c>service.instance.id</c>, and the primary its
    /// supervision counters; <see langword="null"/> exports nothing. Port 4317 is OTLP/gRPC, any other OTLP/HTTP
    /// (<c>http://collector:4318</c>; <c>/v1/metrics</c> is added when the address has no path).
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>. The usual <c>OTEL_*</c> variables apply (export interval, headers, resource attributes).</remarks>
    public Uri? OtlpEndpoint { get; set; }
}
