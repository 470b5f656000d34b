using System.Text.Json.Serialization;

namespace Roost.SharedState.Internal;

/// <summary>Source-generated JSON for broadcasts.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BroadcastEnvelope))]
[JsonSerializable(typeof(string))]
internal sealed partial class BroadcastJsonContext : JsonSerializerContext;
