using System.Globalization;

namespace Roost.Acme;

/// <summary>The key type of the certificates Roost orders.</summary>
public enum AcmeKeyType
{
    /// <summary>EC P-256 (the default): small and fast handshakes.</summary>
    EcP256,

    /// <summary>RSA 2048 bits, for clients without ECDSA.</summary>
    Rsa2048,
}

/// <summary>Which challenge proves control of the names (<c>--acme-challenge</c>, <see cref="AcmeOptions.Challenge"/>).</summary>
public enum AcmeChallengeType
{
    /// <summary>The default, as Caddy: http-01 when the HTTP-01 listener is on, and tls-alpn-01 at once in a new order when http-01 fails validation (or alone when the listener is off).</summary>
    Auto,

    /// <summary>HTTP-01 only (RFC 8555 §8.3): the port-80 listener.</summary>
    Http01,

    /// <summary>TLS-ALPN-01 only (RFC 8737): <c>acme-tls/1</c> on the serving port; for hosts that expose only 443.</summary>
    TlsAlpn01,
}

/// <summary>What to obtain and from which CA: the immutable settings of one managed certificate.</summary>
/// <param name="Names">The names (the first is the subject and names the storage folder).</param>
/// <param name="DirectoryUrl">The CA's ACME directory URL.</param>
/// <param name="Email">The account's contact e-mail, or <see langword="null"/>.</param>
/// <param name="AgreeToTermsOfService">Whether the operator agreed to the CA's terms of service.</param>
/// <param name="StorageRoot">The ACME state folder.</param>
internal sealed record AcmeSettings(IReadOnlyList<string> Names, string DirectoryUrl, string? Email, bool AgreeToTermsOfService, string StorageRoot)
{
    /// <summary>Let's Encrypt's production directory.</summary>
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>Let's Encrypt's staging directory (untrusted certificates, generous rate limits: for trying things out).</summary>
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>The http-01 challenge type name.</summary>
    public const string Http01Type = "http-01";

    /// <summary>The tls-alpn-01 challenge type name.</summary>
    public const string TlsAlpn01Type = "tls-alpn-01";

    /// <summary>How the user named these settings (CLI flags or the façade's properties): the manager's messages use these names.</summary>
    public required AcmeSettingNames SettingNames { get; init; }

    /// <summary>The key type of the certificate (not of the account, which is always P-256).</summary>
    public AcmeKeyType KeyType { get; init; } = AcmeKeyType.EcP256;

    /// <summary>The port of the HTTP-01 listener; 0 turns it off.</summary>
    public int HttpPort { get; init; } = 80;

    /// <summary>Whether the development chain is served at first start until the first certificate is issued (<c>--acme-fallback dev</c>, <see cref="AcmeOptions.FallbackToDevelopment"/>).</summary>
    public bool FallbackToDevelopment { get; init; }

    /// <summary>Which challenge types may be used.</summary>
    public AcmeChallengeType Challenge { get; init; } = AcmeChallengeType.Auto;

    /// <summary>The HTTPS port redirects point to, and where TLS-ALPN-01 is answered.</summary>
    public int HttpsPort { get; init; } = 443;

    /// <summary>A PEM file with the CA certificates the ACME server's own HTTPS certificate chains to (a test CA such as pebble's); <see langword="null"/>: the system's.</summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>The storage of these names.</summary>
    public AcmeStorage Storage => new(StorageRoot, DirectoryUrl, Names[0]);

    /// <summary>The challenge types to try, in order, given whether the HTTP-01 listener is on.</summary>
    public IReadOnlyList<string> ChallengeTypes => Challenge switch
    {
        AcmeChallengeType.Http01 => [Http01Type],
        AcmeChallengeType.TlsAlpn01 => [TlsAlpn01Type],
        _ => HttpPort > 0 ? [Http01Type, TlsAlpn01Type] : [TlsAlpn01Type],
    };

    /// <summary>Resolves a preset name (<c>letsencrypt</c>, <c>letsencrypt-staging</c>) or returns the URL as given.</summary>
    public static string ResolveDirectory(string value) => value.ToLowerInvariant() switch
    {
        "letsencrypt" => LetsEncrypt,
        "letsencrypt-staging" => LetsEncryptStaging,
        _ => value,
    };

    /// <summary>Whether <paramref name="value"/> is a preset or an absolute https URL.</summary>
    public static bool IsValidDirectory(string value) =>
        Uri.TryCreate(ResolveDirectory(value), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    /// <summary>Whether <paramref name="name"/> is a DNS name a public CA can issue for (no wildcard: HTTP-01 cannot prove one).</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 253
        && !name.StartsWith('.') && !name.EndsWith('.')
        && name.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-')
        && !double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        && !System.Net.IPAddress.TryParse(name, out _);
}
