using System.Text.Json.Serialization;
using Roost.Control;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>Source-generated JSON for the IPC records (no reflection; trimming- and AOT-safe).</summary>
/// <remarks>
/// A line that lacks a member without a default, or has <c>null</c> where the record does not allow it, is refused
/// when it is read (fuzzing found a <c>broadcast</c> without <c>payload</c> that decoded, then failed the primary's
/// re-encoding as it fanned it out): the receiver's handlers only ever see complete messages. So a member that may be
/// absent needs a default in its record's constructor (as <c>Error = null</c>): null members are not written.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IpcMessage))]
[JsonSerializable(typeof(string))]
internal sealed partial class IpcJsonContext : JsonSerializerContext;
