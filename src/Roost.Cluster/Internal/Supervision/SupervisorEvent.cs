using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Everything the supervisor loop reacts to. Other threads only post these; the loop alone changes state.</summary>
internal abstract partial record SupervisorEvent
{
    /// <summary>A message from a worker (IPC reader thread).</summary>
    public sealed record Message(WorkerProcess Worker, IpcMessage Payload) : SupervisorEvent;

    /// <summary>A line from a worker that was not a message (IPC reader thread).</summary>
    public sealed record Rejected(WorkerProcess Worker, string Reason, long Length) : SupervisorEvent;

    /// <summary>A worker's IPC channel closed (IPC reader thread).</summary>
    public sealed record ChannelClosed(WorkerProcess Worker) : SupervisorEvent;

    /// <summary>A worker process exited (process-exit callback).</summary>
    public sealed record Exited(WorkerProcess Worker, int ExitCode) : SupervisorEvent;

    /// <summary>SIGINT or SIGTERM (signal callback).</summary>
    public sealed record Signal(int Number) : SupervisorEvent;

    /// <summary>A respawn's backoff elapsed (timer).</summary>
    public sealed record RespawnDue(int Slot) : SupervisorEvent;

    /// <summary>Fork a worker (a caller outside the loop waits for the result).</summary>
    public sealed record Fork(IReadOnlyDictionary<string, string?>? Environment, TaskCompletionSource<ClusterWorker> Result) : SupervisorEvent;

    /// <summary>Stop gracefully (API call).</summary>
    public sealed record Stop : SupervisorEvent;

    /// <summary>Start a rolling reload (SIGHUP callback or API call); <paramref name="Result"/> completes with the outcome.</summary>
    public sealed record Reload(TaskCompletionSource<ReloadResult>? Result) : SupervisorEvent;

    /// <summary>The periodic check: heartbeats, boot timeouts, drain deadline.</summary>
    public sealed record Tick : SupervisorEvent;
}
