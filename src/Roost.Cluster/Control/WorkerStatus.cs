using System.Text.Json.Serialization;

namespace Roost.Control;

/// <summary>One worker process in a <see cref="ClusterStatus"/> (one entry of <c>roost status --json</c>'s <c>workers</c>).</summary>
/// <param name="Id">The worker id.</param>
/// <param name="Pid">The process id.</param>
/// <param name="Slot">The slot (0 … workers-1); <see langword="null"/> for a hot spare (it has none until promoted).</param>
/// <param name="Generation">The generation it was started in.</param>
/// <param name="State"><c>starting</c> (not listening yet), <c>ready</c>, <c>draining</c> (asked to stop), or <c>spare</c> (a hot spare, not serving).</param>
/// <param name="StartedAt">When the primary started it.</param>
/// <param name="UptimeSeconds">Seconds since then.</param>
/// <param name="Requests">Requests finished, as of the last heartbeat.</param>
/// <param name="RssBytes">Resident memory at the last heartbeat; <see langword="null"/> before the first.</param>
/// <param name="Restarts">Respawns of its slot before it.</param>
public sealed record WorkerStatus(
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
