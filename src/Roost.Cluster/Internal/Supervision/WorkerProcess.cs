using System.Diagnostics;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The primary's record of one worker: its process, its IPC channel, its slot, its <see cref="WorkerState"/> and its
/// timeline. Owned by the supervisor loop; the state changes only through the transition methods below.
/// </summary>
internal sealed class WorkerProcess(ClusterWorker worker, Process process, IpcChannel channel, int slot, DateTimeOffset startedAt)
{
    /// <summary>The slot of a hot spare that is not promoted yet.</summary>
    public const int SpareSlot = -1;

    public ClusterWorker Worker { get; } = worker;

    public Process Process { get; } = process;

    public IpcChannel Channel { get; } = channel;

    /// <summary>Gets the slot (0 … workers-1) the worker fills; a replacement takes over its predecessor's slot and sockets.</summary>
    /// <remarks>A hot spare has <see cref="SpareSlot"/> until it is promoted into a slot.</remarks>
    public int Slot { get; private set; } = slot;

    /// <summary>Gets where the worker is in its life (see <see cref="WorkerState"/> for the transitions).</summary>
    public WorkerState State { get; private set; } = slot == SpareSlot ? WorkerState.Spare : WorkerState.Starting;

    /// <summary>Gets a value indicating whether this was started as a hot spare and not promoted (it stays one while it drains).</summary>
    public bool IsSpare => Slot == SpareSlot;

    /// <summary>Gets a value indicating whether the worker reported <c>listening</c> at least once (it may since have been asked to stop).</summary>
    public bool HasListened { get; private set; }

    /// <summary>Gets why the supervisor killed the worker, if it did.</summary>
    public KillReason KilledFor { get; private set; }

    /// <summary>Gets a value indicating whether the supervisor killed the worker (missed heartbeats, boot timeout, drain deadline).</summary>
    public bool KilledBySupervisor => KilledFor != KillReason.None;

    /// <summary>Gets the time by which a worker asked to drain by a reload, recycle or scale down is killed; <see langword="null"/> when none applies.</summary>
    public DateTimeOffset? DrainDeadline { get; private set; }

    /// <summary>Gets when the worker started; for a promoted hot spare, when it was promoted (boot timeout and uptime count from there).</summary>
    public DateTimeOffset StartedAt { get; private set; } = startedAt;

    public DateTimeOffset LastHeartbeat { get; set; } = startedAt;

    /// <summary>Gets or sets the extra environment the worker was forked with; its reload replacement gets the same.</summary>
    public IReadOnlyDictionary<string, string?>? ForkEnvironment { get; set; }

    public int Id => Worker.Id;

    public int Pid => Worker.Pid;

    public int Generation => Worker.Generation;

    /// <summary>A <c>listening</c> came: <see cref="WorkerState.Starting"/> → <see cref="WorkerState.Ready"/>. Returns <see langword="true"/> for the worker's first.</summary>
    public bool Listened()
    {
        if (HasListened)
        {
            return false;
        }

        HasListened = true;
        if (State == WorkerState.Starting)
        {
            State = WorkerState.Ready;
        }

        return true;
    }

    /// <summary>A hot spare reported its app built: <see cref="WorkerState.Spare"/> → <see cref="WorkerState.SpareWaiting"/>. Returns <see langword="false"/> for any other state.</summary>
    public bool SpareWaiting()
    {
        if (State != WorkerState.Spare)
        {
            return false;
        }

        State = WorkerState.SpareWaiting;
        return true;
    }

    /// <summary>A hot spare takes over <paramref name="slot"/>: <see cref="WorkerState.Starting"/> until it listens; its boot timeout and uptime count from <paramref name="now"/>.</summary>
    public void Promote(int slot, DateTimeOffset now)
    {
        Slot = slot;
        StartedAt = now;
        LastHeartbeat = now;
        State = HasListened ? WorkerState.Ready : WorkerState.Starting;
    }

    /// <summary>The primary asks the worker to stop: → <see cref="WorkerState.Draining"/>, killed at <paramref name="deadline"/> when one is given.</summary>
    public void BeginDraining(DateTimeOffset? deadline = null)
    {
        State = WorkerState.Draining;
        if (deadline is not null)
        {
            DrainDeadline = deadline;
        }
    }

    /// <summary>The drain deadline passed and the worker is killed for it: the deadline is spent (kill once).</summary>
    public void KillAtDrainDeadline()
    {
        DrainDeadline = null;
        Kill(KillReason.DrainDeadline);
    }

    /// <summary>Kills the process (SIGKILL) and remembers why; the exit then comes as for any other.</summary>
    public void Kill(KillReason reason)
    {
        KilledFor = reason;
        _ = Libc.Kill(Pid, Libc.SigKill);
    }

    /// <summary>The process exited: → <see cref="WorkerState.Exited"/>.</summary>
    public void Exited()
    {
        State = WorkerState.Exited;
        DrainDeadline = null;
    }
}
