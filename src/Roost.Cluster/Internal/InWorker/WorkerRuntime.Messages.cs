using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>User messages from the primary (<c>Cluster.Worker.MessageReceived</c>).</summary>
internal sealed partial class WorkerRuntime
{
    private void OnUserMessage(UserMessage message)
    {
        try
        {
            Self.RaiseMessage(message.Payload);
        }
        catch (Exception ex)
        {
            // Application code on the IPC reader thread. Node would die of this uncaught exception; here it would
            // escape the reader thread (the channel closes and the worker believes its primary is gone). Log with the
            // worker's identity and keep the channel (docs/cluster.md, "Messages").
            Log.MessageHandlerFailed(_logger, Self.Id, Self.Pid, Self.Generation, message.Payload.ValueKind.ToString(), ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.WorkerMessageHandlerFailed, LogLevel.Error, "worker {WorkerId} (pid {Pid}, generation {Generation}): a Cluster.Worker.MessageReceived handler threw on a 'message' from the primary (payload kind {PayloadKind}); the other handlers ran, the channel stays open", EventName = "WorkerMessageHandlerFailed")]
        public static partial void MessageHandlerFailed(ILogger logger, int workerId, int pid, int generation, string payloadKind, Exception exception);
    }
}
