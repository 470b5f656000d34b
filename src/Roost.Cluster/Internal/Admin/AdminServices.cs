using Microsoft.Extensions.Logging;
using Roost.Internal.Metrics;

namespace Roost.Internal.Admin;

/// <summary>
/// What the admin listener's routes use, from its service provider (<c>RequestServices.GetRequiredService&lt;AdminServices&gt;()</c>):
/// the instance's snapshot, built on the supervisor loop, and the Prometheus exporter.
/// </summary>
internal sealed class AdminServices
{
    public AdminServices(Func<CancellationToken, Task<MetricsSnapshot>> snapshot, ILogger logger)
    {
        GetSnapshotAsync = snapshot;
        Logger = logger;
        Prometheus = new PrometheusExporter(snapshot);
    }

    /// <summary>Gets a function that returns a fresh snapshot of the instance (answered by the supervisor loop within milliseconds).</summary>
    public Func<CancellationToken, Task<MetricsSnapshot>> GetSnapshotAsync { get; }

    /// <summary>Gets the primary's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>Gets the exporter behind <c>/metrics</c>.</summary>
    public PrometheusExporter Prometheus { get; }
}
