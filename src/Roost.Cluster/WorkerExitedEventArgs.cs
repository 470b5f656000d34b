namespace Roost;

/// <summary>A worker process exited (Node's <c>exit (worker, code, signal)</c>).</summary>
/// <param name="worker">The worker.</param>
/// <param name="exitCode">The exit code, or <see langword="null"/> when a signal ended it.</param>
/// <param name="signal">The signal name (e.g. <c>SIGKILL</c>), or <see langword="null"/>.</param>
public sealed class WorkerExitedEventArgs(ClusterWorker worker, int? exitCode, string? signal) : ClusterWorkerEventArgs(worker)
{
    /// <summary>Gets the exit code, or <see langword="null"/> when the process was ended by a signal.</summary>
    /// <remarks>.NET reports a signal death as 128 + signal number; codes 129–159 are reported as signals.</remarks>
    public int? ExitCode { get; } = exitCode;

    /// <summary>Gets the name of the signal that ended the process, or <see langword="null"/>.</summary>
    public string? Signal { get; } = signal;
}
