using Roost.Clustering.Internal.Metrics;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Metrics.</summary>
internal abstract partial record SupervisorEvent
{
    /// <summary>Build a metrics snapshot (control socket, admin listener).</summary>
    public sealed record Metrics(TaskCompletionSource<MetricsSnapshot> Result) : SupervisorEvent;
}
