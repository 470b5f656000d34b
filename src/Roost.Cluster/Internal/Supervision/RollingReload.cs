namespace Roost.Internal.Supervision;

/// <summary>One rolling reload in progress: which old workers remain, and the new worker being waited for. Owned by the supervisor loop.</summary>
/// <remarks>
/// State machine, one old worker at a time (batch size 1): <b>next</b> → fork the replacement (generation
/// <see cref="Generation"/>, same slot and listening sockets as the old worker) → <b>waiting</b> until it reports
/// ready (first <c>listening</c>) → tell the old worker to drain → <b>next</b>; no old worker left → <b>done</b>.
/// The replacement exiting, or not listening within <c>BootTimeout</c>, while <b>waiting</b> → <b>aborted</b>: the
/// replacement is stopped, the old worker was never asked to drain, so the old generation keeps serving.
/// </remarks>
internal sealed class RollingReload(int generation, IEnumerable<int> oldWorkerIds, DateTimeOffset startedAt)
{
    public int Generation { get; } = generation;

    public Queue<int> Remaining { get; } = new(oldWorkerIds);

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Gets or sets the new worker not yet ready; <see langword="null"/> between steps.</summary>
    public WorkerProcess? Incoming { get; set; }

    /// <summary>Gets or sets the id of the old worker <see cref="Incoming"/> replaces.</summary>
    public int OutgoingId { get; set; }

    public int Replaced { get; set; }

    public List<TaskCompletionSource<ReloadResult>> Waiters { get; } = [];
}
