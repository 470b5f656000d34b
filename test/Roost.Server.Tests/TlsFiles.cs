using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Roost.Testing;

namespace Roost.Server.Tests;

/// <summary>Writes a test chain's leaf and key in the shapes CAs and tools hand out, with .NET APIs.</summary>
internal static class TlsFiles
{
    public const string Passphrase = "correct horse";

    private static readonly PbeParameters Pbe = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000);

    public static string CertDer(TestChain chain, TempDirectory dir) => dir.Write("leaf.der", chain.Leaf.RawData);

    public static string EcSec1Pem(TestChain chain, TempDirectory dir) => dir.Write("leaf-sec1.key", Ec(chain).ExportECPrivateKeyPem());

    public static string EcSec1Der(TestChain chain, TempDirectory dir) => dir.Write("leaf-sec1.der", Ec(chain).ExportECPrivateKey());

    public static string Pkcs8Der(TestChain chain, TempDirectory dir) => dir.Write("leaf-pkcs8.der", Key(chain).ExportPkcs8PrivateKey());

    public static string RsaPkcs1Pem(TestChain chain, TempDirectory dir) => dir.Write("leaf-pkcs1.key", Rsa(chain).ExportRSAPrivateKeyPem());

    public static string RsaPkcs1Der(TestChain chain, TempDirectory dir) => dir.Write("leaf-pkcs1.der", Rsa(chain).ExportRSAPrivateKey());

    public static string EncryptedPkcs8Pem(TestChain chain, TempDirectory dir) =>
        dir.Write("leaf-encrypted.key", Key(chain).ExportEncryptedPkcs8PrivateKeyPem(Passphrase, Pbe));

    public static string EncryptedPkcs8Der(TestChain chain, TempDirectory dir) =>
        dir.Write("leaf-encrypted.der", Key(chain).ExportEncryptedPkcs8PrivateKey(Passphrase, Pbe));

    /// <summary>A PFX with the leaf, its key and the intermediate; <paramref name="password"/> <see langword="null"/> for none.</summary>
    public static string Pfx(TestChain chain, TempDirectory dir, string? password, string name = "leaf.pfx")
    {
        using var intermediate = X509CertificateLoader.LoadCertificate(chain.Intermediate.RawData);
        var collection = new X509Certificate2Collection { chain.Leaf, intermediate };
        return dir.Write(name, collection.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password));
    }

    private static AsymmetricAlgorithm Key(TestChain chain) =>
        (AsymmetricAlgorithm?)chain.Leaf.GetECDsaPrivateKey() ?? chain.Leaf.GetRSAPrivateKey()!;

    private static ECDsa Ec(TestChain chain) => chain.Leaf.GetECDsaPrivateKey() ?? throw new InvalidOperationException("Not an EC chain.");

    private static RSA Rsa(TestChain chain) => chain.Leaf.GetRSAPrivateKey() ?? throw new InvalidOperationException("Not an RSA chain.");
}
