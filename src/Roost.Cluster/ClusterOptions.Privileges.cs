namespace Roost;

/// <summary>Workers started as another user (<c>roost serve|run --user</c>; docs/cluster.md, "Workers as another user").</summary>
public sealed partial class ClusterOptions
{
    /// <summary>
    /// Gets or sets the user the workers run as (.NET's process start does setgroups/setgid/setuid between fork and
    /// exec: no moment in which a worker runs as root). The primary must run as root; it keeps binding ports and reading
    /// what the workers cannot. Check first that the user can reach what its workers open (<see cref="WorkerUser.CanRead"/>).
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: workers run as the primary's own user.</remarks>
    public WorkerUser? WorkerUser { get; set; }

    /// <summary>
    /// Gets or sets the TLS files the primary reads and sends to every worker, which then reads none itself (for
    /// workers started as a <see cref="WorkerUser"/> that cannot read the key files).
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: workers read their files.</remarks>
    public WorkerTlsFiles? WorkerTlsFiles { get; set; }
}
