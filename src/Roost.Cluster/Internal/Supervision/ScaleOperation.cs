namespace Roost.Clustering.Internal.Supervision;

/// <summary>One live scale in progress. Owned by the supervisor loop.</summary>
/// <remarks>
/// Up: fork the new workers (free slots, lowest first) → each counts once it is ready (first <c>listening</c>) → all
/// ready → <b>done</b>; one exiting or timing out before ready → <b>failed</b> (it is not restarted; the ready ones stay).
/// Down: take the workers in the highest slots out of the accept rotation, tell them to drain (the reload's path:
/// keep-alive window, GOAWAY, in-flight requests finish within the drain timeout) → all exited → <b>done</b>.
/// </remarks>
internal sealed class ScaleOperation(int previous, int target, TaskCompletionSource<ScaleResult> result, Action<Control.ControlResponse>? progress)
{
    public int Previous { get; } = previous;

    public int Target { get; } = target;

    public TaskCompletionSource<ScaleResult> Result { get; } = result;

    public Action<Control.ControlResponse>? Progress { get; } = progress;

    /// <summary>Gets the ids of new workers not yet ready.</summary>
    public HashSet<int> Incoming { get; } = [];

    /// <summary>Gets the ids of removed workers not yet exited.</summary>
    public HashSet<int> Draining { get; } = [];

    public int Started { get; set; }

    public int Drained { get; set; }

    /// <summary>Gets the reloads asked for while this scale ran (<see langword="null"/>: SIGHUP, nobody waits); the first starts when it ends.</summary>
    public List<TaskCompletionSource<ReloadResult>?> DeferredReloads { get; } = [];
}
