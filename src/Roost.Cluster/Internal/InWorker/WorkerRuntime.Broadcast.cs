using System.Text.Json;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>The worker's half of <see cref="Cluster.Broadcast(JsonElement)"/>.</summary>
internal sealed partial class WorkerRuntime
{
    /// <summary>Asks the primary to deliver <paramref name="payload"/> to every worker; false when the primary is gone.</summary>
    public bool Broadcast(JsonElement payload) => _channel.Send(new BroadcastMessage(payload, Self.Id));

    private void OnBroadcast(BroadcastMessage message)
    {
        try
        {
            Cluster.RaiseBroadcast(message.Payload, message.SenderId);
        }
        catch (Exception ex)
        {
            // Application code on the IPC reader thread: a throwing handler must not stop the channel.
            Log.BroadcastHandlerFailed(_logger, Self.Id, Self.Pid, Self.Generation, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.BroadcastHandlerFailed, LogLevel.Error, "worker {WorkerId} (pid {Pid}, generation {Generation}): a Cluster.BroadcastReceived handler threw; the worker carries on", EventName = "BroadcastHandlerFailed")]
        public static partial void BroadcastHandlerFailed(ILogger logger, int workerId, int pid, int generation, Exception exception);
    }
}
