namespace Roost;

/// <summary>How workers share a listening end point (see docs/cluster.md for measurements).</summary>
public enum ListenerSharingMode
{
    /// <summary>
    /// <see cref="ReusePort"/> in managed mode (<see cref="ClusterOptions.RespawnWorkers"/>): the best spread and
    /// throughput measured, and a replaced worker's queued connections wait for its successor. <see cref="Handoff"/>
    /// otherwise, as Node does on Linux: with no respawn, a dead worker's reuseport queue would strand connections,
    /// while hand-off gives every new connection to a live worker.
    /// </summary>
    Auto = -1,

    /// <summary>
    /// One socket, one kernel accept queue, every worker accepts from it (inherited descriptor). Never refuses a
    /// connection while one worker lives; spreads long-lived connections unevenly.
    /// </summary>
    Shared = 0,

    /// <summary>
    /// One <c>SO_REUSEPORT</c> socket per worker slot, owned by the primary: the kernel spreads connections by hash,
    /// and a replaced worker's queued connections wait for its successor. Use with <see cref="ClusterOptions.RespawnWorkers"/>.
    /// </summary>
    ReusePort = 1,

    /// <summary>
    /// The primary accepts every connection and passes it (SCM_RIGHTS) to the worker with the fewest open
    /// connections: even spread whatever the connection pattern, at the cost of one IPC message per connection.
    /// </summary>
    Handoff = 2,
}
