using Roost.Clustering.Internal.Metrics;

namespace Roost.Clustering.Internal.Admin;

/// <summary>One Server-Sent Event of the dashboard: the instance's snapshot and the certificates in use.</summary>
/// <param name="Metrics">The snapshot (as <c>/api/metrics</c> and <c>roost top</c> get it).</param>
/// <param name="Certificates">The certificates the primary was given to show (<see cref="ClusterAdminOptions.Certificates"/>).</param>
internal sealed record DashboardUpdate(MetricsSnapshot Metrics, IReadOnlyList<CertificateSummary> Certificates);
