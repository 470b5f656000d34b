using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.InWorker;
using Roost.Clustering.Internal.Ipc;
using Roost.Clustering.Internal.Supervision;

namespace Roost;

/// <summary>Broadcast: one message to every process of the cluster (e.g. "drop cache entry X everywhere").</summary>
public static partial class Cluster
{
    /// <summary>
    /// Occurs in every process of the cluster (each worker and the primary) when a <see cref="Broadcast(JsonElement)"/>
    /// arrives, <b>the sender's own message included</b>.
    /// </summary>
    /// <remarks>
    /// In a worker it is raised on the IPC reader thread, in the primary on the supervisor loop: keep handlers short
    /// (hand longer work to a task). A handler that throws is logged; delivery to other handlers and later messages
    /// goes on.
    /// </remarks>
    public static event EventHandler<ClusterBroadcastEventArgs>? BroadcastReceived;

    /// <summary>
    /// Delivers <paramref name="message"/> to every live worker and to the primary, the sender included (check
    /// <see cref="ClusterBroadcastEventArgs.SenderId"/> to skip your own). From a worker the message goes to the
    /// primary over the IPC channel and the primary fans it out; from the primary it goes out directly.
    /// </summary>
    /// <remarks>
    /// At most once, in order per sender, to the workers alive when the primary fans it out: a worker forked later
    /// does not get it, and a message is not stored. A message larger than the IPC limit (1 MiB) is dropped by the
    /// receiving side and logged (event 2200), like any IPC message. Across machines use <c>Roost.SharedState</c>'s
    /// <c>SharedBroadcast</c>, which uses Redis pub/sub when the shared state is in Redis.
    /// </remarks>
    /// <param name="message">Any JSON value.</param>
    /// <returns><see langword="false"/> in a worker whose primary is gone (nothing was sent).</returns>
    public static bool Broadcast(JsonElement message)
    {
        var payload = message.Clone();
        if (WorkerRuntime.Current is { } runtime)
        {
            return runtime.Broadcast(payload);
        }

        Supervisor? supervisor;
        lock (Gate)
        {
            supervisor = _supervisor;
        }

        if (supervisor is null)
        {
            // No worker was ever forked: the primary is the whole cluster.
            RaiseBroadcast(payload, 0);
        }
        else
        {
            supervisor.Broadcast(payload, 0);
        }

        return true;
    }

    /// <summary>Broadcasts a string (as a JSON string); see <see cref="Broadcast(JsonElement)"/>.</summary>
    /// <param name="message">The text.</param>
    /// <returns><see langword="false"/> in a worker whose primary is gone.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static bool Broadcast(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Broadcast(JsonSerializer.SerializeToElement(message, IpcJsonContext.Default.String));
    }

    /// <summary>Broadcasts any value serialized with <paramref name="typeInfo"/>; see <see cref="Broadcast(JsonElement)"/>.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="typeInfo">Its JSON contract, e.g. <c>MyJsonContext.Default.MyMessage</c>.</param>
    /// <returns><see langword="false"/> in a worker whose primary is gone.</returns>
    public static bool Broadcast<T>(T message, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Broadcast(JsonSerializer.SerializeToElement(message, typeInfo));
    }

    /// <summary>Raises <see cref="BroadcastReceived"/>: every handler runs even if one throws; the failure is rethrown afterwards for the caller to log.</summary>
    internal static void RaiseBroadcast(JsonElement message, int senderId) =>
        EventInvoker.InvokeEach(BroadcastReceived, null, new ClusterBroadcastEventArgs(message, senderId));
}
