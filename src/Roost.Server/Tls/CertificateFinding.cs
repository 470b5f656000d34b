namespace Roost.Tls;

/// <summary>How serious a <see cref="CertificateFinding"/> is.</summary>
public enum CertificateFindingSeverity
{
    /// <summary>Checked and fine; printed as <c>ok:</c>.</summary>
    Ok,

    /// <summary>Works, but some clients may fail or it needs attention soon; printed as <c>warning:</c>. The server starts.</summary>
    Warning,

    /// <summary>Not usable; printed as <c>error:</c>. The server refuses to start and a reload keeps the old certificate.</summary>
    Error,
}

/// <summary>
/// One result of <see cref="CertificateCheck"/>: what was checked, in a sentence that names the file as given, the value
/// seen and, for problems, what to do.
/// </summary>
/// <param name="Severity">How serious it is.</param>
/// <param name="Code">A stable identifier of the kind of finding (see <see cref="CertificateFindingCodes"/>), for tools and tests.</param>
/// <param name="Message">The sentence shown to the user.</param>
public sealed record CertificateFinding(CertificateFindingSeverity Severity, string Code, string Message)
{
    /// <summary>Gets the line prefix: <c>ok</c>, <c>warning</c> or <c>error</c>.</summary>
    public string Prefix => Severity switch
    {
        CertificateFindingSeverity.Error => "error",
        CertificateFindingSeverity.Warning => "warning",
        _ => "ok",
    };

    /// <summary>Gets the loader's exception behind a <see cref="CertificateFindingCodes.LoadFailed"/> finding, or <see langword="null"/>.</summary>
    public CertificateLoadException? Cause { get; init; }

    /// <summary>Formats the finding as one output line, e.g. <c>error: Certificate 'site.pem' … expired …</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{Prefix}: {Message}";
}

/// <summary>The stable codes of <see cref="CertificateFinding.Code"/> (documented in docs/tls.md).</summary>
public static class CertificateFindingCodes
{
    /// <summary>A file is missing, unreadable, empty, or holds something else than expected; or the key does not load.</summary>
    public const string LoadFailed = "load-failed";

    /// <summary>The encoding of a certificate file (PEM or DER) and how many certificates it holds.</summary>
    public const string Format = "format";

    /// <summary>The private key matches the certificate.</summary>
    public const string KeyMatches = "key-matches";

    /// <summary>Validity period: fine.</summary>
    public const string Validity = "validity";

    /// <summary>The certificate has expired.</summary>
    public const string Expired = "expired";

    /// <summary>The certificate is not valid yet.</summary>
    public const string NotYetValid = "not-yet-valid";

    /// <summary>The certificate expires soon.</summary>
    public const string ExpiresSoon = "expires-soon";

    /// <summary>Key type and size: fine.</summary>
    public const string KeyStrength = "key-strength";

    /// <summary>The key is too small.</summary>
    public const string WeakKey = "weak-key";

    /// <summary>Signature algorithm: fine.</summary>
    public const string Signature = "signature";

    /// <summary>A certificate is signed with SHA-1.</summary>
    public const string Sha1Signature = "sha1-signature";

    /// <summary>A certificate is signed with MD5 or MD2.</summary>
    public const string BrokenSignature = "broken-signature";

    /// <summary>The leaf may be used for TLS servers (serverAuth).</summary>
    public const string ServerAuth = "server-auth";

    /// <summary>The leaf lacks the serverAuth extended key usage.</summary>
    public const string NoServerAuth = "no-server-auth";

    /// <summary>The leaf has no extended key usage extension at all.</summary>
    public const string NoEku = "no-eku";

    /// <summary>The leaf is a CA certificate.</summary>
    public const string LeafIsCa = "leaf-is-ca";

    /// <summary>The names the leaf covers, or that the <c>--host</c> name is covered.</summary>
    public const string HostNames = "host-names";

    /// <summary>The <c>--host</c> name is not in the leaf's subject alternative names.</summary>
    public const string HostMismatch = "host-mismatch";

    /// <summary>The leaf has no subject alternative names.</summary>
    public const string NoSubjectAltName = "no-san";

    /// <summary>The chain that is sent, in order.</summary>
    public const string Chain = "chain";

    /// <summary>The issuer of the leaf (or of the last intermediate) was not given.</summary>
    public const string IntermediateMissing = "intermediate-missing";

    /// <summary>The chain ends at a certificate whose issuer is neither given nor trusted here.</summary>
    public const string ChainIncomplete = "chain-incomplete";

    /// <summary>The chain was given out of order and was reordered.</summary>
    public const string ChainReordered = "chain-reordered";

    /// <summary>A given certificate belongs to another chain.</summary>
    public const string UnrelatedCertificate = "unrelated-certificate";

    /// <summary>The root was given; it is not sent.</summary>
    public const string RootIncluded = "root-included";

    /// <summary>The leaf is self-signed.</summary>
    public const string SelfSigned = "self-signed";

    /// <summary>The signatures of the chain do not verify up to the given root.</summary>
    public const string ChainInvalid = "chain-invalid";
}
