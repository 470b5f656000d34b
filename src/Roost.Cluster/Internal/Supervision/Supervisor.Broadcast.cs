using System.Text.Json;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>The primary's half of <see cref="Cluster.Broadcast(JsonElement)"/>: fan a message out to every worker.</summary>
internal sealed partial class Supervisor
{
    /// <summary>
    /// Sends <paramref name="payload"/> to every worker whose channel is open (the sender included), then raises
    /// <see cref="Cluster.BroadcastReceived"/> in the primary. Safe from any thread: it reads the published worker
    /// table and each channel's send is serialised by the channel.
    /// </summary>
    /// <returns>The number of workers it was written to.</returns>
    public int Broadcast(JsonElement payload, int senderId)
    {
        var message = new BroadcastMessage(payload, senderId);
        var delivered = 0;
        foreach (var worker in _published.Values)
        {
            if (worker.IsConnected && worker.SendIpc(message))
            {
                delivered++;
            }
        }

        try
        {
            Cluster.RaiseBroadcast(payload, senderId);
        }
        catch (Exception ex)
        {
            // Application code (every subscriber ran, EventInvoker): log and carry on, as a worker does (event 2190).
            Log.BroadcastHandlerFailed(_logger, senderId, ex);
        }
        return delivered;
    }
}
