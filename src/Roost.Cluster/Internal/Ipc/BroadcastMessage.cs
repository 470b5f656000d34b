using System.Text.Json;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Either direction: <c>Cluster.Broadcast</c>. Worker → primary asks the primary to fan the payload out; primary →
/// worker delivers it. <paramref name="SenderId"/> is the sending worker's id (0: the primary); the primary sets it
/// from the channel the message came on, never from what the worker wrote.
/// </summary>
/// <param name="Payload">The JSON value.</param>
/// <param name="SenderId">The sender's worker id, 0 for the primary.</param>
internal sealed record BroadcastMessage(JsonElement Payload, int SenderId) : IpcMessage;
