namespace Roost.Clustering.Internal;

/// <summary>Every user-facing message of the cluster runtime (what, which, value, what to do).</summary>
internal static partial class ClusterErrorMessages
{
    public static string WorkerBootFailed(int id, int pid, int generation, int? exitCode, string? signal) =>
        $"Worker {id} (pid {pid}, generation {generation}) {DescribeExit(exitCode, signal)} during startup, before it listened; workers are not restarted after boot failures, so the cluster stops (exit code {ClusterExitCodes.WorkerBootFailed}). See the worker's log lines above.";

    public static string WorkerBootTimedOut(int id, int pid, int generation, TimeSpan timeout) =>
        $"Worker {id} (pid {pid}, generation {generation}) did not listen within {timeout.TotalSeconds:0.#} s (ClusterOptions.BootTimeout); it is killed and treated as a boot failure.";

    public static string CrashLoop(int crashes, TimeSpan window) =>
        $"Workers crashed {crashes} times within {window.TotalSeconds:0.#} s (limit ClusterOptions.MaxCrashes = {crashes} in ClusterOptions.CrashWindow); the cluster stops instead of restarting in a loop (exit code {ClusterExitCodes.WorkersCrashLooping}). Fix the cause shown in the workers' log lines above.";

    public static string GroupNeedsSetpriv(string group, string user, string userGroup) =>
        $"Starting workers as user '{user}' with group '{group}' (not the user's own group '{userGroup}') needs setpriv (util-linux), which is not installed: install util-linux (apt-get install util-linux, dnf install util-linux), or leave the group out and the workers get the group '{userGroup}'.";

    public static string SetupAfterFork() =>
        "Cluster.SetupPrimary must be called before the first Cluster.Fork; settings cannot change while workers run.";

    public static string ForkInWorker() =>
        "Cluster.Fork can only be called in the primary process; this process is a worker (Cluster.IsWorker is true).";

    public static string ClusterStopped() =>
        "The cluster has stopped; no more workers can be forked.";

    public static string ReloadStopping(string reason) =>
        $"The reload was cut short because the cluster is stopping ({reason}); workers not yet replaced keep their generation until they exit.";

    public static string ReloadWorkerExited(int id, int pid, int generation, string exit) =>
        $"Reload aborted: new worker {id} (pid {pid}, generation {generation}) {exit} before it listened; the old generation keeps serving. Fix the startup error shown in the worker's log lines above, then reload again.";

    public static string ReloadWorkerTimedOut(int id, int pid, int generation, TimeSpan timeout) =>
        $"Reload aborted: new worker {id} (pid {pid}, generation {generation}) did not listen within {timeout.TotalSeconds:0.#} s (ClusterOptions.BootTimeout); it is killed and the old generation keeps serving. Check why startup is slow or stuck, or raise BootTimeout.";

    public static string ReloadSpawnFailed(int slot, string reason) =>
        $"Reload aborted: cannot start a new worker for slot {slot} ({reason}); the old generation keeps serving.";

    public static string ReloadNotRunning() =>
        "Cannot reload: the cluster is not running (it is stopping or has stopped).";

    public static string SpareBootFailed(int id, int pid, int generation, string exit) =>
        $"Hot spare worker {id} (pid {pid}, generation {generation}) {exit} before its app was built; no more hot spares are started until the next successful reload (a worker started now would most likely fail the same way). The workers keep serving; crashed workers are restarted cold. See the spare's log lines above.";

    public static string SpareBootTimedOut(int id, int pid, int generation, TimeSpan timeout) =>
        $"Hot spare worker {id} (pid {pid}, generation {generation}) did not reach its first Listen within {timeout.TotalSeconds:0.#} s (ClusterOptions.BootTimeout); it is killed and no more hot spares are started until the next successful reload. Does the program call Listen in workers? Set ClusterOptions.HotSpares = 0 for programs that do not.";

    public static string DescribeExit(int? exitCode, string? signal) =>
        signal is not null ? $"was killed by {signal}" : $"exited with code {exitCode}";
}
