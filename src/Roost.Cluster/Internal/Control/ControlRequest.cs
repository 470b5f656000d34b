using System.Text.Json.Serialization;

namespace Roost.Clustering.Internal.Control;

/// <summary>A request on the control socket; one record per command, its kind in <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(Status), "status")]
[JsonDerivedType(typeof(Reload), "reload")]
[JsonDerivedType(typeof(Scale), "scale")]
[JsonDerivedType(typeof(Stop), "stop")]
[JsonDerivedType(typeof(Recycle), "recycle")]
[JsonDerivedType(typeof(Metrics), "metrics")]
internal abstract record ControlRequest
{
    /// <summary>Gets the protocol version of the sender.</summary>
    [JsonPropertyName("v")]
    public int Version { get; init; } = ControlProtocol.Version;

    /// <summary>The workers and the cluster's state.</summary>
    public sealed record Status : ControlRequest;

    /// <summary>A rolling reload, or with <paramref name="CertsOnly"/> a certificate reload in every worker (no restart).</summary>
    public sealed record Reload(bool CertsOnly = false) : ControlRequest;

    /// <summary>Scale to <paramref name="Workers"/>, or by <paramref name="Delta"/> (exactly one is set).</summary>
    public sealed record Scale(int? Workers = null, int? Delta = null) : ControlRequest;

    /// <summary>Replace worker <paramref name="WorkerId"/> as recycling does: its successor first, then it drains.</summary>
    public sealed record Recycle(int WorkerId) : ControlRequest;

    /// <summary>A metrics snapshot of the instance (<c>roost top</c>).</summary>
    public sealed record Metrics : ControlRequest;

    /// <summary>Stop gracefully; <paramref name="TimeoutSeconds"/> overrides the drain timeout for this stop.</summary>
    public sealed record Stop(double? TimeoutSeconds = null) : ControlRequest;
}
