using System.Text.Json;

namespace Roost;

/// <summary>A message sent with <see cref="Cluster.Broadcast(JsonElement)"/>.</summary>
/// <param name="message">The JSON value.</param>
/// <param name="senderId">The sending worker's id; 0 when the primary sent it.</param>
public sealed class ClusterBroadcastEventArgs(JsonElement message, int senderId) : EventArgs
{
    /// <summary>Gets the message.</summary>
    public JsonElement Message { get; } = message;

    /// <summary>Gets the id of the worker that sent it (<see cref="ClusterWorker.Id"/>), or 0 for the primary.</summary>
    public int SenderId { get; } = senderId;

    /// <summary>Gets a value indicating whether this process sent it (its own message coming back).</summary>
    public bool IsFromSelf => SenderId == (Cluster.Worker?.Id ?? 0);
}
