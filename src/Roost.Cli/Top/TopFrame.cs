namespace Roost.Cli.Top;

/// <summary>What one screen of <c>roost top</c> shows: the instance, one row per worker, the totals and the recent events.</summary>
/// <param name="Name">The instance name.</param>
/// <param name="PrimaryPid">The primary's pid.</param>
/// <param name="State">running, stopping or stopped.</param>
/// <param name="Generation">The cluster's generation.</param>
/// <param name="TargetWorkers">The worker count respawns keep.</param>
/// <param name="Operation">reload, scale or <see langword="null"/>.</param>
/// <param name="Workers">The workers (then the hot spares).</param>
/// <param name="Total">The totals over the workers.</param>
/// <param name="Events">The recent supervision events, oldest first.</param>
/// <param name="At">When the sample was taken.</param>
internal sealed record TopFrame(
    string Name,
    int PrimaryPid,
    string State,
    int Generation,
    int TargetWorkers,
    string? Operation,
    IReadOnlyList<TopRow> Workers,
    TopRow Total,
    IReadOnlyList<Roost.Control.SupervisionEvent> Events,
    DateTimeOffset At);

/// <summary>One worker (or the totals) on a <c>roost top</c> screen; a <see langword="null"/> figure is not known (shown as -).</summary>
/// <param name="Id">Worker id (0 for the totals).</param>
/// <param name="Pid">Process id (0 for the totals).</param>
/// <param name="Generation">Generation.</param>
/// <param name="State">starting, ready, draining or spare.</param>
/// <param name="RequestsPerSecond">Requests finished per second over the last seconds.</param>
/// <param name="Requests">Requests finished since the worker started.</param>
/// <param name="P50Milliseconds">Median request duration.</param>
/// <param name="P99Milliseconds">99th percentile request duration.</param>
/// <param name="ActiveConnections">Open connections.</param>
/// <param name="Http1Share">Share of requests over HTTP/1.x (0..1); the rest is HTTP/2.</param>
/// <param name="CpuPercent">CPU use since the previous sample, in % of one core.</param>
/// <param name="RssBytes">Resident memory.</param>
/// <param name="Restarts">Respawns of its slot before it.</param>
/// <param name="UptimeSeconds">Seconds since it started.</param>
internal sealed record TopRow(
    int Id,
    int Pid,
    int Generation,
    string State,
    double? RequestsPerSecond,
    long Requests,
    double? P50Milliseconds,
    double? P99Milliseconds,
    long? ActiveConnections,
    double? Http1Share,
    double? CpuPercent,
    long? RssBytes,
    int Restarts,
    double UptimeSeconds);
