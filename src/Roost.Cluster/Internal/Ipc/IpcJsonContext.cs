using System.Text.Json.Serialization;

namespace Roost.Internal.Ipc;

/// <summary>Source-generated JSON for the IPC records (no reflection; trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowOutOfOrderMetadataProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IpcMessage))]
[JsonSerializable(typeof(string))]
internal sealed partial class IpcJsonContext : JsonSerializerContext;
