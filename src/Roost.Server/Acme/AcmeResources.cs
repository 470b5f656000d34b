namespace Roost.Acme;

/// <summary>The CA's directory (RFC 8555 §7.1.1): where each resource lives.</summary>
internal sealed record AcmeDirectory(string NewNonce, string NewAccount, string NewOrder, string? RenewalInfo = null, AcmeDirectoryMeta? Meta = null);

/// <summary>The directory's metadata (RFC 8555 §9.7.6): the terms of service the account agrees to.</summary>
internal sealed record AcmeDirectoryMeta(string? TermsOfService = null, string? Website = null, bool ExternalAccountRequired = false);

/// <summary>A name an order is for (RFC 8555 §9.7.7): only <c>dns</c> here.</summary>
internal sealed record AcmeIdentifier(string Type, string Value);

/// <summary>A problem document (RFC 7807, RFC 8555 §6.7): the CA's own words on what failed.</summary>
internal sealed record AcmeProblem(string? Type = null, string? Detail = null, int? Status = null, IReadOnlyList<AcmeProblem>? Subproblems = null, AcmeIdentifier? Identifier = null)
{
    /// <summary>The type without the ACME namespace (<c>badNonce</c> for <c>urn:ietf:params:acme:error:badNonce</c>).</summary>
    public string ShortType => Type is { } type && type.StartsWith(AcmeProblemTypes.Prefix, StringComparison.Ordinal) ? type[AcmeProblemTypes.Prefix.Length..] : Type ?? "unknown";
}

/// <summary>The problem types Roost acts on (RFC 8555 §6.7).</summary>
internal static class AcmeProblemTypes
{
    public const string Prefix = "urn:ietf:params:acme:error:";

    public const string BadNonce = Prefix + "badNonce";

    public const string AccountDoesNotExist = Prefix + "accountDoesNotExist";

    public const string RateLimited = Prefix + "rateLimited";
}

/// <summary>An account (RFC 8555 §7.1.2).</summary>
internal sealed record AcmeAccount(string? Status = null, IReadOnlyList<string>? Contact = null);

/// <summary>An order (RFC 8555 §7.1.3).</summary>
internal sealed record AcmeOrder(string Status, IReadOnlyList<AcmeIdentifier> Identifiers, IReadOnlyList<string> Authorizations, string Finalize, string? Certificate = null, AcmeProblem? Error = null);

/// <summary>An authorization (RFC 8555 §7.1.4): one name and the challenges that can prove control of it.</summary>
internal sealed record AcmeAuthorization(string Status, AcmeIdentifier Identifier, IReadOnlyList<AcmeChallenge> Challenges);

/// <summary>A challenge (RFC 8555 §7.1.5, §8).</summary>
internal sealed record AcmeChallenge(string Type, string Url, string Status, string? Token = null, AcmeProblem? Error = null);

/// <summary>The payload of newAccount (RFC 8555 §7.3).</summary>
internal sealed record AcmeNewAccountRequest(IReadOnlyList<string>? Contact, bool TermsOfServiceAgreed);

/// <summary>The payload of newOrder (RFC 8555 §7.4).</summary>
internal sealed record AcmeNewOrderRequest(IReadOnlyList<AcmeIdentifier> Identifiers);

/// <summary>The payload of a finalize request (RFC 8555 §7.4): the CSR, DER in base64url.</summary>
internal sealed record AcmeFinalizeRequest(string Csr);

/// <summary>The empty object a client posts to a challenge to say it is ready (RFC 8555 §7.5.1).</summary>
internal sealed record AcmeEmptyRequest;
