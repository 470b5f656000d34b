using Microsoft.Extensions.Logging;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>The supervisor's log lines; every one names the worker as <c>worker {WorkerId} (pid {Pid}, generation {Generation})</c>.</summary>
internal sealed partial class Supervisor
{
    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.WorkerForked, LogLevel.Information, "Forked worker {WorkerId} (pid {Pid}, generation {Generation}) in slot {Slot}", EventName = "WorkerForked")]
        public static partial void WorkerForked(ILogger logger, int workerId, int pid, int generation, int slot);

        [LoggerMessage(ClusterEventIds.WorkerOnline, LogLevel.Debug, "worker {WorkerId} (pid {Pid}, generation {Generation}) is online", EventName = "WorkerOnline")]
        public static partial void WorkerOnline(ILogger logger, int workerId, int pid, int generation);

        [LoggerMessage(ClusterEventIds.WorkerReady, LogLevel.Information, "worker {WorkerId} (pid {Pid}, generation {Generation}) is ready: listening on {EndPoint} {StartupMilliseconds} ms after start", EventName = "WorkerReady")]
        public static partial void WorkerReady(ILogger logger, int workerId, int pid, int generation, string endPoint, long startupMilliseconds);

        [LoggerMessage(ClusterEventIds.WorkerExitedAsked, LogLevel.Information, "worker {WorkerId} (pid {Pid}, generation {Generation}) {Exit} after {UptimeMilliseconds} ms (asked to stop)", EventName = "WorkerExitedAsked")]
        public static partial void WorkerExitedAsked(ILogger logger, int workerId, int pid, int generation, string exit, long uptimeMilliseconds);

        [LoggerMessage(ClusterEventIds.WorkerExited, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) {Exit} after {UptimeMilliseconds} ms", EventName = "WorkerExited")]
        public static partial void WorkerExited(ILogger logger, int workerId, int pid, int generation, string exit, long uptimeMilliseconds);

        [LoggerMessage(ClusterEventIds.WorkerRestarting, LogLevel.Warning, "Restarting slot {Slot} of worker {WorkerId} (pid {Pid}, generation {Generation}) in {DelayMilliseconds} ms ({CrashesInWindow} crash(es) in the window)", EventName = "WorkerRestarting")]
        public static partial void WorkerRestarting(ILogger logger, int slot, int workerId, int pid, int generation, long delayMilliseconds, int crashesInWindow);

        [LoggerMessage(ClusterEventIds.WorkerBootFailed, LogLevel.Critical, "{Message}", EventName = "WorkerBootFailed")]
        public static partial void WorkerBootFailed(ILogger logger, string message);

        [LoggerMessage(ClusterEventIds.CrashLoop, LogLevel.Critical, "{Message}", EventName = "CrashLoop")]
        public static partial void CrashLoop(ILogger logger, string message);

        [LoggerMessage(ClusterEventIds.HeartbeatMissed, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) sent no heartbeat for {SilentMilliseconds} ms; killing it", EventName = "HeartbeatMissed")]
        public static partial void HeartbeatMissed(ILogger logger, int workerId, int pid, int generation, long silentMilliseconds);

        [LoggerMessage(ClusterEventIds.Stopping, LogLevel.Information, "Stopping {WorkerCount} worker(s): in-flight requests get up to {DrainTimeout} ({Reason})", EventName = "Stopping")]
        public static partial void Stopping(ILogger logger, int workerCount, TimeSpan drainTimeout, string reason);

        [LoggerMessage(ClusterEventIds.Stopped, LogLevel.Information, "Cluster stopped with exit code {ExitCode}", EventName = "Stopped")]
        public static partial void Stopped(ILogger logger, int exitCode);

        [LoggerMessage(ClusterEventIds.StopForced, LogLevel.Warning, "Signal {Signal} received again: killing {WorkerCount} worker(s) now", EventName = "StopForced")]
        public static partial void StopForced(ILogger logger, int signal, int workerCount);

        [LoggerMessage(ClusterEventIds.DrainDeadline, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) did not finish draining in time; killing it", EventName = "DrainDeadline")]
        public static partial void DrainDeadline(ILogger logger, int workerId, int pid, int generation);

        [LoggerMessage(ClusterEventIds.ListenBindFailed, LogLevel.Warning, "Cannot bind {EndPoint} for worker {WorkerId} (pid {Pid}, generation {Generation}): {Reason}", EventName = "ListenBindFailed")]
        public static partial void ListenBindFailed(ILogger logger, string endPoint, int workerId, int pid, int generation, string reason);

        [LoggerMessage(ClusterEventIds.ForkAfterStop, LogLevel.Information, "Cluster.Fork() after the cluster stopped (exit code {ExitCode}): no worker started; the returned worker is already dead", EventName = "ForkAfterStop")]
        public static partial void ForkAfterStop(ILogger logger, int exitCode);

        [LoggerMessage(ClusterEventIds.WorkerSpawnFailed, LogLevel.Error, "Cannot start a worker for slot {Slot}", EventName = "WorkerSpawnFailed")]
        public static partial void WorkerSpawnFailed(ILogger logger, int slot, Exception exception);

        [LoggerMessage(ClusterEventIds.EventHandlerFailed, LogLevel.Error, "A {EventName} handler threw for worker {WorkerId} (pid {Pid}, generation {Generation}); the other handlers ran, the supervisor carries on", EventName = "EventHandlerFailed")]
        public static partial void EventHandlerFailed(ILogger logger, string eventName, int workerId, int pid, int generation, Exception exception);

        [LoggerMessage(ClusterEventIds.PrimaryBroadcastHandlerFailed, LogLevel.Error, "A Cluster.BroadcastReceived handler threw on a broadcast from {SenderId} (0: the primary); the other handlers ran, the supervisor carries on", EventName = "PrimaryBroadcastHandlerFailed")]
        public static partial void BroadcastHandlerFailed(ILogger logger, int senderId, Exception exception);

        [LoggerMessage(ClusterEventIds.SupervisorEventFailed, LogLevel.Error, "Handling a {SupervisorEvent} event failed; the supervisor carries on", EventName = "SupervisorEventFailed")]
        public static partial void SupervisorEventFailed(ILogger logger, string supervisorEvent, Exception exception);

        [LoggerMessage(ClusterEventIds.MessageHandlerFailed, LogLevel.Error, "A {EventName} handler threw on a 'message' from worker {WorkerId} (pid {Pid}, generation {Generation}) (payload kind {PayloadKind}); the other handlers ran, the channel stays open", EventName = "MessageHandlerFailed")]
        public static partial void MessageHandlerFailed(ILogger logger, string eventName, int workerId, int pid, int generation, string payloadKind, Exception exception);

        [LoggerMessage(ClusterEventIds.IpcMessageRejected, LogLevel.Warning, "Dropped a message from worker {WorkerId} (pid {Pid}, generation {Generation}): {Reason} ({Length} bytes)", EventName = "IpcMessageRejected")]
        public static partial void MessageRejected(ILogger logger, int workerId, int pid, int generation, string reason, long length);

        [LoggerMessage(ClusterEventIds.IpcInvalidMessage, LogLevel.Warning, "Dropped a '{MessageType}' message from worker {WorkerId} (pid {Pid}, generation {Generation}): {Reason}", EventName = "IpcInvalidMessage")]
        public static partial void MessageInvalid(ILogger logger, string messageType, int workerId, int pid, int generation, string reason);

        [LoggerMessage(ClusterEventIds.IpcUnexpectedMessage, LogLevel.Warning, "Dropped a '{MessageType}' message from worker {WorkerId} (pid {Pid}, generation {Generation}): workers do not send it", EventName = "IpcUnexpectedMessage")]
        public static partial void UnexpectedMessage(ILogger logger, string messageType, int workerId, int pid, int generation);

        [LoggerMessage(ClusterEventIds.ReloadStarted, LogLevel.Information, "Rolling reload to generation {Generation}: replacing {WorkerCount} worker(s) {BatchSize} at a time, each after its successor is ready", EventName = "ReloadStarted")]
        public static partial void ReloadStarted(ILogger logger, int generation, int workerCount, int batchSize);

        [LoggerMessage(ClusterEventIds.ReloadReplaced, LogLevel.Information, "worker {WorkerId} (pid {Pid}, generation {Generation}) drains: its successor worker {NewWorkerId} (pid {NewPid}, generation {NewGeneration}) is ready", EventName = "ReloadReplaced")]
        public static partial void ReloadReplaced(ILogger logger, int workerId, int pid, int generation, int newWorkerId, int newPid, int newGeneration);

        [LoggerMessage(ClusterEventIds.ReloadCompleted, LogLevel.Information, "Rolling reload to generation {Generation} done: {Replaced} worker(s) replaced in {ElapsedMilliseconds} ms", EventName = "ReloadCompleted")]
        public static partial void ReloadCompleted(ILogger logger, int generation, int replaced, long elapsedMilliseconds);

        [LoggerMessage(ClusterEventIds.ReloadAborted, LogLevel.Error, "{Message}", EventName = "ReloadAborted")]
        public static partial void ReloadAborted(ILogger logger, string message);

        [LoggerMessage(ClusterEventIds.ReloadQueued, LogLevel.Information, "Reload requested while the reload to generation {Generation} runs; another reload follows it", EventName = "ReloadQueued")]
        public static partial void ReloadQueued(ILogger logger, int generation);
    }
}
