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

}
