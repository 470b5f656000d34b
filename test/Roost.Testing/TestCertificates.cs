using System.Security.Cryptography.X509Certificates;
using Roost.Tls;

namespace Roost.Testing;

/// <summary>A root → intermediate → leaf chain generated for one test, with its PEM files written to a folder.</summary>
public sealed class TestChain : IDisposable
{
    internal TestChain(X509Certificate2 root, IReadOnlyList<X509Certificate2> intermediates, X509Certificate2 leaf, TempDirectory directory)
    {
        Root = root;
        Intermediates = intermediates;
        Leaf = leaf;
        Directory = directory;
        RootPath = directory.Write("root.pem", CertificateChainFactory.ToPem(root));
        IntermediatePaths = [.. intermediates.Select((c, i) => directory.Write(i == 0 ? "intermediate.pem" : $"intermediate{i + 1}.pem", CertificateChainFactory.ToPem(c)))];
        LeafPath = directory.Write("leaf.pem", CertificateChainFactory.ToPem(leaf));
        KeyPath = directory.Write("leaf.key", CertificateChainFactory.KeyToPem(leaf));
    }

    public X509Certificate2 Root { get; }

    /// <summary>The leaf's issuer.</summary>
    public X509Certificate2 Intermediate => Intermediates[0];

    /// <summary>The intermediates in chain order: the leaf's issuer first, the one the root signed last.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    public X509Certificate2 Leaf { get; }

    public TempDirectory Directory { get; }

    public string RootPath { get; }

    /// <summary>The PEM file of the leaf's issuer.</summary>
    public string IntermediatePath => IntermediatePaths[0];

    /// <summary>The PEM files of <see cref="Intermediates"/>, in the same order.</summary>
    public IReadOnlyList<string> IntermediatePaths { get; }

    public string LeafPath { get; }

    public string KeyPath { get; }

    /// <summary>Issues a renewal under the same intermediate (new key, new serial); the caller disposes it.</summary>
    public X509Certificate2 Renew() => CertificateChainFactory.CreateSigned(Intermediate, new GeneratedCertificateSpec());

    /// <summary>Options for a TLS server with this chain (leaf + key + intermediate).</summary>
    public SecureServerOptions ServerOptions(bool allowHttp1 = false) =>
        WithAllowHttp1(SecureServerOptions.FromFiles(LeafPath, KeyPath, [.. IntermediatePaths]), allowHttp1);

    /// <summary>Options with only the TLS material given (no intermediates), for tests that choose the chain themselves.</summary>
    /// <remarks>The check would refuse a leaf without its intermediate; these tests serve one on purpose.</remarks>
    public SecureServerOptions LeafOnlyOptions(bool allowHttp1 = false)
    {
        var options = WithAllowHttp1(SecureServerOptions.FromFiles(LeafPath, KeyPath), allowHttp1);
        options.CertificateCheck = new CertificateCheckOptions { UnsafeAllowErrors = true };
        return options;
    }

    public void Dispose()
    {
        Root.Dispose();
        foreach (var intermediate in Intermediates)
        {
            intermediate.Dispose();
        }

        Leaf.Dispose();
        Directory.Dispose();
    }

    private static SecureServerOptions WithAllowHttp1(SecureServerOptions options, bool allowHttp1)
    {
        options.AllowHttp1 = allowHttp1;
        options.HandleShutdownSignals = false;
        return options;
    }
}

/// <summary>Certificates made at test time (no fixtures to expire).</summary>
public static class TestCertificates
{
    /// <summary>A valid chain for localhost, 127.0.0.1 and ::1.</summary>
    public static TestChain CreateChain() => CreateChain(new GeneratedCertificateSpec());

    /// <summary>A valid chain whose leaf has an RSA key (root and intermediate stay EC), for RSA key formats.</summary>
    public static TestChain CreateRsaChain(int keySize = 2048) =>
        CreateChain(new GeneratedCertificateSpec { KeyKind = GeneratedKeyKind.Rsa, RsaKeySize = keySize });

    internal static TestChain CreateChain(GeneratedCertificateSpec leafSpec)
    {
        var (root, intermediate, leaf) = CertificateChainFactory.CreateChain(leafSpec);
        return new TestChain(root, [intermediate], leaf, new TempDirectory("roost-certs"));
    }

    /// <summary>Another leaf under the same intermediate (a renewal: new serial, new key).</summary>
    internal static X509Certificate2 CreateLeaf(X509Certificate2 issuer, GeneratedCertificateSpec? spec = null, X509SignatureGenerator? generator = null) =>
        CertificateChainFactory.CreateSigned(issuer, spec ?? new GeneratedCertificateSpec(), generator);

    /// <summary>An intermediate CA under <paramref name="issuer"/>.</summary>
    internal static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string subject) =>
        CertificateChainFactory.CreateSigned(issuer, new GeneratedCertificateSpec
        {
            Subject = subject,
            DnsNames = [],
            IpAddresses = [],
            ExtendedKeyUsages = [],
            IsCertificateAuthority = true,
            NotAfter = DateTimeOffset.UtcNow.AddYears(5),
        });

    /// <summary>PEM text of one or more certificates, in the order given.</summary>
    public static string Pem(params X509Certificate2[] certificates) =>
        string.Concat(certificates.Select(CertificateChainFactory.ToPem));

    /// <summary>PEM text (PKCS#8) of a certificate's private key.</summary>
    public static string KeyPem(X509Certificate2 certificate) => CertificateChainFactory.KeyToPem(certificate);

    /// <summary>root → upper intermediate → intermediate → leaf, for chain-order tests.</summary>
    public static TestChain CreateChainWithTwoIntermediates()
    {
        var root = CertificateChainFactory.CreateRoot("CN=Roost Test Root CA");
        var upper = CreateIntermediate(root, "CN=Roost Test Upper Intermediate CA");
        var lower = CreateIntermediate(upper, "CN=Roost Test Intermediate CA");
        var leaf = CertificateChainFactory.CreateSigned(lower, new GeneratedCertificateSpec());
        return new TestChain(root, [lower, upper], leaf, new TempDirectory("roost-certs"));
    }
}
