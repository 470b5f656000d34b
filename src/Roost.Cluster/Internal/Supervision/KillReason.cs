namespace Roost.Clustering.Internal.Supervision;

/// <summary>Why the supervisor killed a worker (SIGKILL) on its own; <see cref="None"/> when it did not.</summary>
internal enum KillReason
{
    /// <summary>Not killed by the supervisor.</summary>
    None,

    /// <summary>It did not listen (a spare: did not report waiting) within <c>ClusterOptions.BootTimeout</c>.</summary>
    BootTimeout,

    /// <summary>It sent no heartbeat for <c>HeartbeatInterval × MissedHeartbeats</c>.</summary>
    MissedHeartbeats,

    /// <summary>It did not finish draining by its drain deadline (reload, recycle, scale down, aborted batch).</summary>
    DrainDeadline,
}
