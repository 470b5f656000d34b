namespace Roost.Internal;

/// <summary>Every user-facing message of the cluster runtime (what, which, value, what to do).</summary>
internal static class ClusterErrorMessages
{
    public static string WorkerBootFailed(int id, int pid, int generation, int? exitCode, string? signal) =>
        $"Worker {id} (pid {pid}, generation {generation}) {DescribeExit(exitCode, signal)} during startup, before it listened; workers are not restarted after boot failures, so the cluster stops (exit code {ClusterExitCodes.WorkerBootFailed}). See the worker's log lines above.";

    public static string WorkerBootTimedOut(int id, int pid, int generation, TimeSpan timeout) =>
        $"Worker {id} (pid {pid}, generation {generation}) did not listen within {timeout.TotalSeconds:0.#} s (ClusterOptions.BootTimeout); it is killed and treated as a boot failure.";

    public static string CrashLoop(int crashes, TimeSpan window) =>
        $"Workers crashed {crashes} times within {window.TotalSeconds:0.#} s (limit ClusterOptions.MaxCrashes = {crashes} in ClusterOptions.CrashWindow); the cluster stops instead of restarting in a loop (exit code {ClusterExitCodes.WorkersCrashLooping}). Fix the cause shown in the workers' log lines above.";

    public static string SetupAfterFork() =>
        "Cluster.SetupPrimary must be called before the first Cluster.Fork; settings cannot change while workers run.";

    public static string ForkInWorker() =>
        "Cluster.Fork can only be called in the primary process; this process is a worker (Cluster.IsWorker is true).";

    public static string ClusterStopped() =>
        "The cluster has stopped; no more workers can be forked.";

    public static string DescribeExit(int? exitCode, string? signal) =>
        signal is not null ? $"was killed by {signal}" : $"exited with code {exitCode}";
}
