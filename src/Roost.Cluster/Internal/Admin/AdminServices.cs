using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Metrics;
using Roost.Control;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// What the admin listener's routes use, from its service provider (<c>RequestServices.GetRequiredService&lt;AdminServices&gt;()</c>):
/// the instance's snapshot, built on the supervisor loop, the Prometheus exporter, the supervisor's control entry
/// point (the one the control socket uses) and the certificates to show.
/// </summary>
internal sealed class AdminServices
{
    public AdminServices(
        Func<CancellationToken, Task<MetricsSnapshot>> snapshot,
        ILogger logger,
        Action<ControlRequest, ControlSession>? control = null,
        DashboardCertificates? certificates = null)
    {
        GetSnapshotAsync = snapshot;
        Logger = logger;
        Prometheus = new PrometheusExporter(snapshot);
        Control = control ?? ((_, session) => session.Complete(new ControlResponse.Error(ControlErrorCodes.NotRunning, ClusterErrorMessages.ClusterStopped())));
        Certificates = certificates ?? new DashboardCertificates([]);
    }

    /// <summary>Gets a function that returns a fresh snapshot of the instance (answered by the supervisor loop within milliseconds).</summary>
    public Func<CancellationToken, Task<MetricsSnapshot>> GetSnapshotAsync { get; }

    /// <summary>Gets the primary's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>Gets the exporter behind <c>/metrics</c>.</summary>
    public PrometheusExporter Prometheus { get; }

    /// <summary>Gets the supervisor's entry point for control requests: it answers on the session (progress lines, then the result).</summary>
    public Action<ControlRequest, ControlSession> Control { get; }

    /// <summary>Gets the certificates the dashboard shows.</summary>
    public DashboardCertificates Certificates { get; }
}
