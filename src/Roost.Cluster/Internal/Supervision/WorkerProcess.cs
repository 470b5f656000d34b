using System.Diagnostics;
using Roost.Internal.Ipc;

namespace Roost.Internal.Supervision;

/// <summary>The primary's record of one worker: its process, its IPC channel, its slot and its timeline. Owned by the supervisor loop.</summary>
internal sealed class WorkerProcess(ClusterWorker worker, Process process, IpcChannel channel, int slot, DateTimeOffset startedAt)
{
    public ClusterWorker Worker { get; } = worker;

    public Process Process { get; } = process;

    public IpcChannel Channel { get; } = channel;

    /// <summary>Gets the slot (0 … workers-1) the worker fills; a replacement takes over its predecessor's slot and sockets.</summary>
    /// <remarks>A hot spare has slot -1 until it is promoted into a slot.</remarks>
    public int Slot { get; set; } = slot;

    /// <summary>Gets or sets when the worker started; for a promoted hot spare, when it was promoted (boot timeout and uptime count from there).</summary>
    public DateTimeOffset StartedAt { get; set; } = startedAt;

    /// <summary>Gets or sets a value indicating whether this is a hot spare not yet promoted (not in the worker table, not in <c>Cluster.Workers</c>).</summary>
    public bool IsSpare { get; set; }

    /// <summary>Gets or sets when the hot spare reported that its app is built and it waits for <c>promote</c>.</summary>
    public DateTimeOffset? SpareWaitingAt { get; set; }

    public DateTimeOffset? ReadyAt { get; set; }

    public DateTimeOffset LastHeartbeat { get; set; } = startedAt;

    /// <summary>Gets or sets a value indicating whether the primary asked this worker to stop (its exit is not a crash).</summary>
    public bool StopRequested { get; set; }

    /// <summary>Gets or sets a value indicating whether the primary killed it for missing heartbeats or the boot timeout.</summary>
    public bool KilledBySupervisor { get; set; }

    public bool BootTimedOut { get; set; }

    /// <summary>Gets or sets the extra environment the worker was forked with; its reload replacement gets the same.</summary>
    public IReadOnlyDictionary<string, string?>? ForkEnvironment { get; set; }

    public int Id => Worker.Id;

    public int Pid => Worker.Pid;

    public int Generation => Worker.Generation;
}
