using Roost.Clustering.Internal.Privileges;

namespace Roost;

/// <summary>Workers started as another user (<c>roost serve|run --user</c>; internal: the CLI sets them).</summary>
public sealed partial class ClusterOptions
{
    /// <summary>Gets or sets the user the workers run as (setgroups/setgid/setuid between fork and exec), or <see langword="null"/> for the primary's own user.</summary>
    internal WorkerUser? WorkerUser { get; set; }

    /// <summary>Gets or sets the TLS files the primary reads and sends to every worker, which then reads none itself; <see langword="null"/>: workers read their files.</summary>
    internal WorkerTlsFiles? WorkerTlsFiles { get; set; }
}
