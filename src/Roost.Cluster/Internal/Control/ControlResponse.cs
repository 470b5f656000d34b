using System.Text.Json.Serialization;
using Roost.Control;

namespace Roost.Clustering.Internal.Control;

/// <summary>A line the primary sends on the control socket; its kind in <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(Progress), "progress")]
[JsonDerivedType(typeof(StatusReport), "status")]
[JsonDerivedType(typeof(Result), "result")]
[JsonDerivedType(typeof(Error), "error")]
[JsonDerivedType(typeof(MetricsReport), "metrics")]
internal abstract record ControlResponse
{
    /// <summary>Gets the protocol version of the primary.</summary>
    [JsonPropertyName("v")]
    public int Version { get; init; } = ControlProtocol.Version;

    /// <summary>Something happened while an operation runs (<paramref name="Event"/>: accepted, forked, ready, draining, exited, certificates, stopping).</summary>
    public sealed record Progress(string Event, string Message, int? WorkerId = null, int? Pid = null, int? Generation = null) : ControlResponse;

    /// <summary>The answer to <c>status</c>.</summary>
    /// <param name="Name">The instance name.</param>
    /// <param name="Pid">The primary's pid.</param>
    /// <param name="StartedAt">When the primary started.</param>
    /// <param name="Generation">The current generation.</param>
    /// <param name="TargetWorkers">The worker count respawns keep.</param>
    /// <param name="Operation">What runs: <c>reload</c>, <c>scale</c> or <see langword="null"/>.</param>
    /// <param name="State">running, stopping or stopped.</param>
    /// <param name="Workers">One entry per live worker process, by slot then id, then the hot spares (state <c>spare</c>, no slot).</param>
    public sealed record StatusReport(
        string Name,
        int Pid,
        DateTimeOffset StartedAt,
        int Generation,
        int TargetWorkers,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Operation,
        string State,
        IReadOnlyList<WorkerStatus> Workers) : ControlResponse;

    /// <summary>The outcome of reload, scale or stop.</summary>
    /// <param name="Operation">reload, reload-certs, scale, recycle or stop.</param>
    /// <param name="Outcome">reloaded/aborted, recycled/aborted/rejected/busy, scaled/unchanged/rejected/busy/failed, certificates reloaded/unchanged/rejected/failed, stopped.</param>
    /// <param name="Ok">Whether it did what was asked.</param>
    /// <param name="Message">Why not (what, which worker or file, what to do).</param>
    /// <param name="Generation">The generation after a reload.</param>
    /// <param name="Workers">The worker count after a scale.</param>
    /// <param name="Previous">The worker count before a scale.</param>
    /// <param name="ExitCode">The primary's exit code after a stop.</param>
    /// <param name="Certificates">Per worker, after a certificate reload.</param>
    public sealed record Result(
        string Operation,
        string Outcome,
        bool Ok,
        string? Message = null,
        int? Generation = null,
        int? Workers = null,
        int? Previous = null,
        int? ExitCode = null,
        IReadOnlyList<WorkerCertificates>? Certificates = null) : ControlResponse;

    /// <summary>The answer to <c>metrics</c>: the snapshot.</summary>
    public sealed record MetricsReport(Roost.Clustering.Internal.Metrics.MetricsSnapshot Metrics) : ControlResponse;

    /// <summary>The request was not served (<see cref="ControlErrorCodes"/>).</summary>
    public sealed record Error(string Code, string Message) : ControlResponse;
}
