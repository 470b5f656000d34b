using System.Text.Json.Serialization;

namespace Roost.Clustering.Internal.Admin;

/// <summary>Source-generated JSON for the dashboard's stream.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DashboardUpdate))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
