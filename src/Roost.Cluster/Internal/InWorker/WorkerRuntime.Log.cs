using Microsoft.Extensions.Logging;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>The worker runtime's log lines.</summary>
internal sealed partial class WorkerRuntime
{
    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.PrimaryGone, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}): the primary is gone; draining (up to {DrainTimeout}) and exiting", EventName = "PrimaryGone")]
        public static partial void PrimaryGone(ILogger logger, int workerId, int pid, int generation, TimeSpan drainTimeout);

        [LoggerMessage(ClusterEventIds.IpcMessageRejected, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) dropped a message from the primary: {Reason} ({Length} bytes)", EventName = "IpcMessageRejected")]
        public static partial void MessageRejected(ILogger logger, int workerId, int pid, int generation, string reason, long length);

        [LoggerMessage(ClusterEventIds.IpcUnexpectedMessage, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) dropped a '{MessageType}' message: the primary does not send it", EventName = "IpcUnexpectedMessage")]
        public static partial void UnexpectedMessage(ILogger logger, string messageType, int workerId, int pid, int generation);

        [LoggerMessage(ClusterEventIds.MetricsUnavailable, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) cannot open its metrics block '{Path}': {Reason}; its counters stay at zero", EventName = "MetricsUnavailable")]
        public static partial void MetricsUnavailable(ILogger logger, int workerId, int pid, int generation, string path, string reason);
    }
}
