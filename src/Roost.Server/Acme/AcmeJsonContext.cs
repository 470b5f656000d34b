using System.Text.Json.Serialization;

namespace Roost.Acme;

/// <summary>Source-generated JSON for the ACME messages and Roost's own ACME files (no reflection: the primary is NativeAOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(AcmeDirectory))]
[JsonSerializable(typeof(AcmeProblem))]
[JsonSerializable(typeof(AcmeAccount))]
[JsonSerializable(typeof(AcmeOrder))]
[JsonSerializable(typeof(AcmeAuthorization))]
[JsonSerializable(typeof(AcmeChallenge))]
[JsonSerializable(typeof(AcmeNewAccountRequest))]
[JsonSerializable(typeof(AcmeNewOrderRequest))]
[JsonSerializable(typeof(AcmeFinalizeRequest))]
[JsonSerializable(typeof(AcmeEmptyRequest))]
[JsonSerializable(typeof(AcmeAccountRecord))]
[JsonSerializable(typeof(AcmeCertificateState))]
[JsonSerializable(typeof(AcmeRenewalInfo))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext;
