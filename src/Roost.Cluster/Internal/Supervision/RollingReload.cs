namespace Roost.Clustering.Internal.Supervision;

/// <summary>One rolling reload (or one recycle) in progress: which old workers remain, and the new workers being waited for. Owned by the supervisor loop.</summary>
/// <remarks>
/// State machine, up to <see cref="BatchSize"/> old workers at a time (<c>ClusterOptions.ReloadBatchSize</c>, 1 by default):
/// <b>next</b> → fork replacements until <see cref="Incoming"/> holds a batch (generation <see cref="Generation"/>, same
/// slot and listening sockets as the old worker each replaces) → <b>waiting</b> until one reports ready (first
/// <c>listening</c>) → tell its old worker to drain → <b>next</b>; no old worker left and none incoming → <b>done</b>.
/// Any replacement exiting, or not listening within <c>BootTimeout</c>, while <b>waiting</b> → <b>aborted</b>: every
/// replacement not yet ready is stopped; their old workers were never asked to drain, so the old generation keeps serving.
/// A recycle (<see cref="Recycle"/> set) is the same machine with one old worker.
/// </remarks>
internal sealed class RollingReload(int generation, IEnumerable<int> oldWorkerIds, DateTimeOffset startedAt, int batchSize = 1)
{
    public int Generation { get; } = generation;

    public Queue<int> Remaining { get; } = new(oldWorkerIds);

    public DateTimeOffset StartedAt { get; } = startedAt;

    public int BatchSize { get; } = batchSize;

    /// <summary>Gets the new workers not yet ready, each with the id of the old worker it replaces.</summary>
    public Dictionary<WorkerProcess, int> Incoming { get; } = [];

    public int Replaced { get; set; }

    /// <summary>Gets or sets why this is a recycle of one worker; <see langword="null"/> for a rolling reload.</summary>
    public RecycleReason? Recycle { get; set; }

    public List<TaskCompletionSource<ReloadResult>> Waiters { get; } = [];

    /// <summary>Gets or sets a value indicating whether another reload was asked for while this one ran: it starts when this one ends.</summary>
    public bool RunAgain { get; set; }

    /// <summary>Gets the callers waiting for the reload that runs after this one.</summary>
    public List<TaskCompletionSource<ReloadResult>> NextWaiters { get; } = [];
}
