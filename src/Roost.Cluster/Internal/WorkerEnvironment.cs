using Roost.Server.Internal;

namespace Roost.Clustering.Internal;

/// <summary>The environment variables through which the primary configures a worker process (removed by the worker once read).</summary>
internal static class WorkerEnvironment
{
    public const string WorkerId = "ROOST_CLUSTER_WORKER_ID";
    public const string Generation = "ROOST_CLUSTER_GENERATION";
    public const string IpcHandle = "ROOST_CLUSTER_IPC_FD";
    public const string PrimaryPid = "ROOST_CLUSTER_PRIMARY_PID";
    public const string HeartbeatMilliseconds = "ROOST_CLUSTER_HEARTBEAT_MS";
    public const string DrainMilliseconds = "ROOST_CLUSTER_DRAIN_MS";
    public const string MaxMessageBytes = "ROOST_CLUSTER_MAX_MESSAGE_BYTES";
    public const string KeepAliveDrainMilliseconds = "ROOST_CLUSTER_KEEPALIVE_DRAIN_MS";

    /// <summary>Inherited listening sockets: <c>address:port=fd</c> pairs separated by <c>;</c> (keys are the requested end points).</summary>
    public const string ListenHandles = "ROOST_CLUSTER_LISTEN_FDS";

    /// <summary>The value in <see cref="ListenHandles"/> for an end point whose connections the primary hands over.</summary>
    public const string HandoffValue = "handoff";

    /// <summary>"1" in a hot spare: the worker builds its servers, then waits for <c>promote</c> before it listens.</summary>
    public const string Spare = "ROOST_CLUSTER_SPARE";

    /// <summary>"1" in a worker started with --user: its TLS files come from the primary (<c>tls-files</c>), never from disk.</summary>
    public const string TlsFilesFromPrimary = "ROOST_CLUSTER_TLS_FROM_PRIMARY";

    /// <summary>The worker's shared metrics block (<see cref="Metrics.MetricsBlock"/>); absent when metrics are off.</summary>
    public const string MetricsFile = "ROOST_CLUSTER_METRICS_FILE";

    /// <summary>The OTLP collector the worker exports its meters to (<see cref="ClusterOptions.OtlpEndpoint"/>); absent: no export.</summary>
    public const string OtlpEndpoint = "ROOST_CLUSTER_OTLP_ENDPOINT";

    /// <summary>The <c>service.name</c> of the OTLP export (the instance's name).</summary>
    public const string ServiceName = "ROOST_CLUSTER_SERVICE_NAME";

    public static readonly string[] All = [WorkerId, Generation, IpcHandle, PrimaryPid, HeartbeatMilliseconds, DrainMilliseconds, MaxMessageBytes, ListenHandles, KeepAliveDrainMilliseconds, Spare, TlsFilesFromPrimary, MetricsFile, OtlpEndpoint, ServiceName];
}
