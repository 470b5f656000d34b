using System.Text.Json;
using Roost.Clustering.Internal.Control;

namespace Roost.Control;

/// <summary>A running primary's answer to <see cref="ControlClient.GetStatusAsync"/> (<c>roost status</c>).</summary>
public sealed class ClusterStatus
{
    private readonly ControlResponse.StatusReport _report;

    internal ClusterStatus(ControlResponse.StatusReport report) => _report = report;

    /// <summary>Gets the instance name.</summary>
    public string Name => _report.Name;

    /// <summary>Gets the primary's process id.</summary>
    public int Pid => _report.Pid;

    /// <summary>Gets when the primary started.</summary>
    public DateTimeOffset StartedAt => _report.StartedAt;

    /// <summary>Gets the current generation (a rolling reload starts the next one).</summary>
    public int Generation => _report.Generation;

    /// <summary>Gets the worker count respawns keep.</summary>
    public int TargetWorkers => _report.TargetWorkers;

    /// <summary>Gets the operation that runs: <c>reload</c>, <c>scale</c>, or <see langword="null"/> for none.</summary>
    public string? Operation => _report.Operation;

    /// <summary>Gets the cluster's state: <c>running</c>, <c>stopping</c> or <c>stopped</c>.</summary>
    public string State => _report.State;

    /// <summary>Gets one entry per live worker process, by slot then id, then the hot spares (state <c>spare</c>, no slot).</summary>
    public IReadOnlyList<WorkerStatus> Workers => _report.Workers;

    /// <summary>Returns the status as the JSON object <c>roost status --json</c> prints (schema in docs/cli.md).</summary>
    /// <returns>One line of JSON.</returns>
    public string ToJson() => JsonSerializer.Serialize<ControlResponse>(_report, ControlJsonContext.Default.ControlResponse);
}
