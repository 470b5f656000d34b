using System.Text.Json;

namespace Roost.SharedState.Internal;

/// <summary>What travels on the Redis channel: the sender (machine/pid/instance, so a process knows its own) and the message.</summary>
internal sealed record BroadcastEnvelope(string? Sender, JsonElement Message);
