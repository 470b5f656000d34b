using System.Text.Json.Serialization;

namespace Roost.Internal.Control;

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
    public sealed record MetricsReport(Roost.Internal.Metrics.MetricsSnapshot Metrics) : ControlResponse;

    /// <summary>The request was not served (<see cref="ControlProtocol.ErrorCodes"/>).</summary>
    public sealed record Error(string Code, string Message) : ControlResponse;
}

/// <summary>One worker in <see cref="ControlResponse.StatusReport"/>.</summary>
/// <param name="Id">Worker id.</param>
/// <param name="Pid">Process id.</param>
/// <param name="Slot">Slot (0 … workers-1); <see langword="null"/> for a hot spare (it has none until promoted).</param>
/// <param name="Generation">Generation.</param>
/// <param name="State">starting (not listening yet), ready, draining (asked to stop), or spare (a hot spare, not serving).</param>
/// <param name="StartedAt">When the primary started it.</param>
/// <param name="UptimeSeconds">Seconds since then.</param>
/// <param name="Requests">Requests finished, as of the last heartbeat.</param>
/// <param name="RssBytes">Resident memory at the last heartbeat; null before the first.</param>
/// <param name="Restarts">Respawns of its slot before it.</param>
internal sealed record WorkerStatus(
    int Id,
    int Pid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Slot,
    int Generation,
    string State,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    long Requests,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? RssBytes,
    int Restarts);

/// <summary>One worker's answer to a certificate reload.</summary>
/// <param name="WorkerId">Worker id.</param>
/// <param name="Pid">Process id.</param>
/// <param name="Generation">Generation.</param>
/// <param name="Ok">The worker reloaded (or found nothing new) and rejected nothing.</param>
/// <param name="Error">Why the worker could not reload (no answer, no TLS server…).</param>
/// <param name="Certificates">One entry per certificate per TLS server.</param>
internal sealed record WorkerCertificates(int WorkerId, int Pid, int Generation, bool Ok, string? Error, IReadOnlyList<CertificateReport> Certificates);

/// <summary>What a certificate reload did with one certificate in one worker.</summary>
/// <param name="Server">The server's end point.</param>
/// <param name="Name">default, or the SNI host name.</param>
/// <param name="Status">unchanged, reloaded or rejected.</param>
/// <param name="OldSerialNumber">Serial served before.</param>
/// <param name="NewSerialNumber">Serial served now.</param>
/// <param name="Errors">Why a new set was rejected (each names the file as given).</param>
internal sealed record CertificateReport(string Server, string Name, string Status, string OldSerialNumber, string NewSerialNumber, IReadOnlyList<string> Errors);

