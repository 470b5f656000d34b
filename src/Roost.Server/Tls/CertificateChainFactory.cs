using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Tls;

/// <summary>What kind of key a generated certificate gets.</summary>
internal enum GeneratedKeyKind
{
    /// <summary>ECDSA on P-256: fast handshakes, what modern CAs issue.</summary>
    EcP256,

    /// <summary>RSA with the given size.</summary>
    Rsa,
}

/// <summary>Parameters of one generated certificate. Defaults make a valid TLS server leaf for localhost.</summary>
internal sealed record GeneratedCertificateSpec
{
    public string Subject { get; init; } = "CN=localhost";

    public IReadOnlyList<string> DnsNames { get; init; } = ["localhost"];

    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    public DateTimeOffset NotBefore { get; init; } = DateTimeOffset.UtcNow.AddDays(-1);

    public DateTimeOffset NotAfter { get; init; } = DateTimeOffset.UtcNow.AddDays(90);

    public GeneratedKeyKind KeyKind { get; init; } = GeneratedKeyKind.EcP256;

    public int RsaKeySize { get; init; } = 2048;

    public HashAlgorithmName SignatureHash { get; init; } = HashAlgorithmName.SHA256;

    /// <summary>Extended key usages; defaults to serverAuth. Empty for none.</summary>
    public IReadOnlyList<string> ExtendedKeyUsages { get; init; } = [CertificateChainFactory.ServerAuthOid];

    public bool IsCertificateAuthority { get; init; }

    /// <summary>An OCSP responder URL for the authorityInfoAccess extension, or <see langword="null"/> for none.</summary>
    public string? OcspUrl { get; init; }
}

/// <summary>
/// Makes certificate chains (root → intermediate → leaf) with <see cref="CertificateRequest"/>: the development
/// chain of <c>roost cert dev</c> and the certificates tests need.
/// </summary>
internal static class CertificateChainFactory
{
    /// <summary>id-kp-serverAuth (RFC 5280 §4.2.1.12).</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>id-kp-clientAuth (RFC 5280 §4.2.1.12).</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Creates a self-signed CA certificate (with its private key).</summary>
    public static X509Certificate2 CreateRoot(string subject, DateTimeOffset? notAfter = null, GeneratedKeyKind keyKind = GeneratedKeyKind.EcP256)
    {
        var spec = new GeneratedCertificateSpec
        {
            Subject = subject,
            DnsNames = [],
            IpAddresses = [],
            ExtendedKeyUsages = [],
            IsCertificateAuthority = true,
            KeyKind = keyKind,
            NotAfter = notAfter ?? DateTimeOffset.UtcNow.AddYears(10),
        };
        using var key = CreateKey(spec);
        var request = CreateRequest(spec, key);
        return request.CreateSelfSigned(spec.NotBefore, spec.NotAfter);
    }

    /// <summary>Creates a certificate signed by <paramref name="issuer"/> (which must carry its private key).</summary>
    public static X509Certificate2 CreateSigned(X509Certificate2 issuer, GeneratedCertificateSpec spec) => CreateSigned(issuer, spec, null);

    /// <summary>Creates a certificate signed by <paramref name="issuer"/> with a custom signature generator (tests use it for SHA-1, which .NET no longer signs with).</summary>
    public static X509Certificate2 CreateSigned(X509Certificate2 issuer, GeneratedCertificateSpec spec, X509SignatureGenerator? signatureGenerator)
    {
        using var key = CreateKey(spec);
        var request = CreateRequest(spec, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;

        // A child cannot outlive its issuer's validity window in the generator (CertificateRequest enforces it).
        var notAfter = spec.NotAfter < issuer.NotAfter ? spec.NotAfter : new DateTimeOffset(issuer.NotAfter);
        var notBefore = spec.NotBefore > issuer.NotBefore ? spec.NotBefore : new DateTimeOffset(issuer.NotBefore);
        var generator = signatureGenerator ?? (issuer.GetECDsaPrivateKey() is { } ecIssuer
            ? X509SignatureGenerator.CreateForECDsa(ecIssuer)
            : X509SignatureGenerator.CreateForRSA(issuer.GetRSAPrivateKey()!, RSASignaturePadding.Pkcs1));
        using var signed = request.Create(issuer.SubjectName, generator, notBefore, notAfter, serial);
        return key switch
        {
            ECDsa ec => signed.CopyWithPrivateKey(ec),
            RSA rsa => signed.CopyWithPrivateKey(rsa),
            _ => throw new InvalidOperationException("Unsupported key."),
        };
    }

    /// <summary>Creates the standard three-level chain: root CA, intermediate CA, and a leaf from <paramref name="leafSpec"/>.</summary>
    public static (X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Leaf) CreateChain(
        GeneratedCertificateSpec? leafSpec = null, string name = "Roost Test")
    {
        var root = CreateRoot($"CN={name} Root CA");
        var intermediate = CreateSigned(root, new GeneratedCertificateSpec
        {
            Subject = $"CN={name} Intermediate CA",
            DnsNames = [],
            IpAddresses = [],
            ExtendedKeyUsages = [],
            IsCertificateAuthority = true,
            NotAfter = DateTimeOffset.UtcNow.AddYears(5),
        });
        var leaf = CreateSigned(intermediate, leafSpec ?? new GeneratedCertificateSpec());
        return (root, intermediate, leaf);
    }

    /// <summary>PEM text of a certificate.</summary>
    public static string ToPem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>PEM text (PKCS#8) of a certificate's private key.</summary>
    public static string KeyToPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() is { } ec ? ec.ExportPkcs8PrivateKeyPem() : certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem()) + "\n";

    private static AsymmetricAlgorithm CreateKey(GeneratedCertificateSpec spec) => spec.KeyKind switch
    {
        GeneratedKeyKind.Rsa => RSA.Create(spec.RsaKeySize),
        _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    private static CertificateRequest CreateRequest(GeneratedCertificateSpec spec, AsymmetricAlgorithm key)
    {
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(spec.Subject, ec, spec.SignatureHash),
            RSA rsa => new CertificateRequest(spec.Subject, rsa, spec.SignatureHash, RSASignaturePadding.Pkcs1),
            _ => throw new InvalidOperationException("Unsupported key."),
        };

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(spec.IsCertificateAuthority, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            spec.IsCertificateAuthority
                ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature
                : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment,
            critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        if (spec.ExtendedKeyUsages.Count > 0)
        {
            var usages = new OidCollection();
            foreach (var oid in spec.ExtendedKeyUsages)
            {
                usages.Add(new Oid(oid));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        }

        if (spec.OcspUrl is not null)
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([spec.OcspUrl], null));
        }

        if (spec.DnsNames.Count > 0 || spec.IpAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in spec.DnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (var ip in spec.IpAddresses)
            {
                san.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        return request;
    }
}
