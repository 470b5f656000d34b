using System.Text.Json;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>Either direction: an application message (<c>worker.Send</c>), any JSON value.</summary>
/// <param name="Payload">The JSON value.</param>
internal sealed record UserMessage(JsonElement Payload) : IpcMessage;
