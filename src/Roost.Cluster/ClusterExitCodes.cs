namespace Roost;

/// <summary>Exit codes of a primary process, set in <see cref="Environment.ExitCode"/> and returned by <see cref="Cluster.WaitForExitAsync"/>.</summary>
public static class ClusterExitCodes
{
    /// <summary>Stopped normally (including a graceful stop after SIGINT/SIGTERM).</summary>
    public const int Ok = 0;

    /// <summary>A worker exited before it listened (managed mode); workers are not restarted after boot failures.</summary>
    public const int WorkerBootFailed = 3;

    /// <summary>Workers crashed <see cref="ClusterOptions.MaxCrashes"/> times within <see cref="ClusterOptions.CrashWindow"/> (managed mode).</summary>
    public const int WorkersCrashLooping = 7;

    /// <summary>A second SIGINT/SIGTERM forced the stop: workers were killed (128 + signal number is used instead when known).</summary>
    public const int Forced = 1;
}
