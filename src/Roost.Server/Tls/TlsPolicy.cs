using System.Net.Security;
using System.Security.Authentication;

namespace Roost.Tls;

/// <summary>Which TLS versions and cipher suites a server offers (the Mozilla server-side TLS profiles, adapted).</summary>
/// <remarks>See docs/tls.md for the suites of each policy.</remarks>
public enum TlsPolicy
{
    /// <summary>
    /// The default: TLS 1.2 and 1.3; TLS 1.2 only with ECDHE key exchange and AEAD ciphers (AES-GCM, ChaCha20-Poly1305),
    /// no CBC suite, forward secrecy on every suite (Mozilla "intermediate", without its DHE suites).
    /// </summary>
    Intermediate,

    /// <summary>TLS 1.3 only (Mozilla "modern"): for clients from 2019 on.</summary>
    Modern,

    /// <summary>
    /// TLS 1.2 and 1.3 with the intermediate suites plus ECDHE CBC suites and RSA key exchange with AES-GCM, for old
    /// clients (Java 7, Android 4.x, Windows 7). Still no TLS 1.0/1.1. testssl.sh reports the CBC suites (LUCKY13) and
    /// the suites without forward secrecy: use only when such clients must connect.
    /// </summary>
    Compatible,
}

/// <summary>The protocol versions and <see cref="CipherSuitesPolicy"/> of each <see cref="TlsPolicy"/>.</summary>
internal static class TlsPolicies
{
    /// <summary>TLS 1.3 suites: all AEAD with forward secrecy (RFC 8446 §9.1 plus ChaCha20).</summary>
    private static readonly TlsCipherSuite[] Tls13 =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>TLS 1.2 suites of Mozilla's "intermediate" profile (v5.7) with ECDHE key exchange; its DHE suites are left out.</summary>
    private static readonly TlsCipherSuite[] Tls12Intermediate =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>Extra TLS 1.2 suites for old clients (a subset of Mozilla's "old" profile).</summary>
    private static readonly TlsCipherSuite[] Tls12CompatibleExtra =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
    ];

    public static SslProtocols Protocols(TlsPolicy policy) => policy == TlsPolicy.Modern
        ? SslProtocols.Tls13
        : SslProtocols.Tls12 | SslProtocols.Tls13;

    public static IReadOnlyList<TlsCipherSuite> CipherSuites(TlsPolicy policy) => policy switch
    {
        TlsPolicy.Modern => Tls13,
        TlsPolicy.Compatible => [.. Tls13, .. Tls12Intermediate, .. Tls12CompatibleExtra],
        _ => [.. Tls13, .. Tls12Intermediate],
    };

    /// <summary>
    /// The cipher suite policy, where one is needed and the platform supports one (Linux and macOS; Windows uses the
    /// system's SChannel settings).
    /// </summary>
    /// <remarks>
    /// <see cref="TlsPolicy.Modern"/> gets none: it allows TLS 1.3 only (<see cref="Protocols"/>), and every TLS 1.3
    /// suite is AEAD with forward secrecy, so the platform's TLS 1.3 suites are already the policy. Leaving it out
    /// matters on Linux: <c>SslStream</c> caches the OpenSSL context (<c>SSL_CTX</c>) of a certificate only when no
    /// <see cref="CipherSuitesPolicy"/> is set; with one, every handshake builds a new context (≈ 15% of a full
    /// handshake's server CPU here) and no session can be resumed, because the session cache and the ticket key live
    /// in the context. See benchmarks/results/2026-11-25-optimizations.md.
    /// </remarks>
    public static CipherSuitesPolicy? Create(TlsPolicy policy) =>
        OperatingSystem.IsWindows() || policy == TlsPolicy.Modern ? null : new CipherSuitesPolicy(CipherSuites(policy));
}
