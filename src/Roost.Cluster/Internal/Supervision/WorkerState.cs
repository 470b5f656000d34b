namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Where one worker process is in its life, as Node keeps <c>worker.state</c>. Changed only by the transition methods
/// of <see cref="WorkerProcess"/>, on the supervisor loop.
/// </summary>
/// <remarks>
/// <code>
///  fork ──▶ Starting ──first listening──▶ Ready
///  spare fork ──▶ Spare ──spare-waiting──▶ SpareWaiting
///  Spare, SpareWaiting ──promote──▶ Starting
///  Starting, Ready, Spare, SpareWaiting ──asked to stop──▶ Draining
///  any ──process exit──▶ Exited
/// </code>
/// A worker asked to stop while starting drains without having listened (<see cref="WorkerProcess.HasListened"/>):
/// it is still killed at the boot timeout, and a late first listening is still its first.
/// </remarks>
internal enum WorkerState
{
    /// <summary>Started (or promoted from spare), not yet listening: not serving, subject to the boot timeout.</summary>
    Starting,

    /// <summary>Listening (its first <c>listening</c> came): serving, subject to heartbeats, may be recycled or reloaded.</summary>
    Ready,

    /// <summary>Asked to stop (cluster stop, reload successor ready, scale down, aborted batch, spare discarded): its exit is not a crash.</summary>
    Draining,

    /// <summary>A hot spare building its app: not in the worker table, no slot, no sockets.</summary>
    Spare,

    /// <summary>A hot spare whose app is built (it sent <c>spare-waiting</c>): first choice for a promotion.</summary>
    SpareWaiting,

    /// <summary>The process exited; the record is gone from the tables.</summary>
    Exited,
}
