using System.Security.Cryptography.X509Certificates;
using Roost.Tls;

namespace Roost.Testing;

/// <summary>A root → intermediate → leaf chain generated for one test, with its PEM files written to a folder.</summary>
public sealed class TestChain : IDisposable
{
    internal TestChain(X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf, TempDirectory directory)
    {
        Root = root;
        Intermediate = intermediate;
        Leaf = leaf;
        Directory = directory;
        RootPath = directory.Write("root.pem", CertificateChainFactory.ToPem(root));
        IntermediatePath = directory.Write("intermediate.pem", CertificateChainFactory.ToPem(intermediate));
        LeafPath = directory.Write("leaf.pem", CertificateChainFactory.ToPem(leaf));
        KeyPath = directory.Write("leaf.key", CertificateChainFactory.KeyToPem(leaf));
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Leaf { get; }

    public TempDirectory Directory { get; }

    public string RootPath { get; }

    public string IntermediatePath { get; }

    public string LeafPath { get; }

    public string KeyPath { get; }

    /// <summary>Options for a TLS server with this chain (leaf + key + intermediate).</summary>
    public SecureServerOptions ServerOptions(bool allowHttp1 = false) =>
        WithAllowHttp1(SecureServerOptions.FromFiles(LeafPath, KeyPath, IntermediatePath), allowHttp1);

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
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
        return new TestChain(root, intermediate, leaf, new TempDirectory("roost-certs"));
    }
}
