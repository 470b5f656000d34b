using System.Text.Json.Serialization;

namespace Roost.Clustering.Internal.Control;

/// <summary>Source-generated JSON for the control protocol.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowOutOfOrderMetadataProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(Roost.Clustering.Internal.Metrics.MetricsSnapshot))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
