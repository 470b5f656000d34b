using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Roost.Testing;
using Roost.Tls;

namespace Roost.Server.Tests;

/// <summary>
/// Every shape of TLS material a CA or a tool hands out loads through <c>Https.CreateServer</c>: PEM and DER
/// certificates; PKCS#1, PKCS#8, SEC1 and encrypted PKCS#8 keys in PEM and DER; PFX with and without a password; a
/// certificate file holding the chain; material given as a file, as bytes and as text. Files are made at test time with
/// .NET APIs and with the <c>openssl</c> tool.
/// </summary>
public sealed class CertificateLoaderTests(TlsMaterialFixture material) : IClassFixture<TlsMaterialFixture>
{
    /// <summary>Shapes written with .NET APIs.</summary>
    public enum DotnetShape
    {
        EcPemCertPkcs8PemKey,
        EcDerCertPkcs8DerKey,
        EcPemCertSec1PemKey,
        EcPemCertSec1DerKey,
        RsaPemCertPkcs1PemKey,
        RsaDerCertPkcs1DerKey,
        RsaPemCertPkcs8PemKey,
        RsaPemCertPkcs8DerKey,
        EcEncryptedPkcs8PemKeyWithPassphrase,
        RsaEncryptedPkcs8PemKeyWithPassphrase,
        RsaEncryptedPkcs8DerKeyWithPassphrase,
        PfxWithPassword,
        PfxWithoutPassword,
        CertFileHoldingLeafAndChain,
        CertAndKeyInOnePemFile,
        InlineBytes,
        InlineText,
        InlineDerBytes,
    }

    /// <summary>Shapes written by <c>openssl</c>, as users make them.</summary>
    public enum OpenSslShape
    {
        RsaTraditionalPkcs1PemKey,
        RsaTraditionalPkcs1DerKey,
        EcSec1PemKey,
        DerCertAndPkcs8DerKey,
        EncryptedPkcs8PemKey,
        EncryptedPkcs8DerKey,
        PfxWithPassword,
        PfxWithEmptyPassword,
        PfxUnencryptedWithoutMac,
    }

    public static TheoryData<DotnetShape> DotnetShapes() => new(Enum.GetValues<DotnetShape>());

    public static TheoryData<OpenSslShape> OpenSslShapes() => new(Enum.GetValues<OpenSslShape>());

    [Theory]
    [MemberData(nameof(DotnetShapes))]
    public async Task CreateServer_ShapeWrittenByDotnet_LoadsLeafWithWorkingKeyAndChain(DotnetShape shape)
    {
        var chain = shape.ToString().StartsWith("Rsa", StringComparison.Ordinal) ? material.Rsa : material.Ec;
        using var dir = new TempDirectory("roost-tls-shape");
        var options = new SecureServerOptions { HandleShutdownSignals = false };
        var chainExpected = true;
        switch (shape)
        {
            case DotnetShape.EcPemCertPkcs8PemKey:
            case DotnetShape.RsaPemCertPkcs8PemKey:
                Set(options, chain.LeafPath, chain.KeyPath, chain.IntermediatePath);
                break;
            case DotnetShape.EcDerCertPkcs8DerKey:
            case DotnetShape.RsaPemCertPkcs8DerKey:
                Set(options, shape == DotnetShape.EcDerCertPkcs8DerKey ? TlsFiles.CertDer(chain, dir) : chain.LeafPath, TlsFiles.Pkcs8Der(chain, dir), chain.IntermediatePath);
                break;
            case DotnetShape.EcPemCertSec1PemKey:
                Set(options, chain.LeafPath, TlsFiles.EcSec1Pem(chain, dir), chain.IntermediatePath);
                break;
            case DotnetShape.EcPemCertSec1DerKey:
                Set(options, chain.LeafPath, TlsFiles.EcSec1Der(chain, dir), chain.IntermediatePath);
                break;
            case DotnetShape.RsaPemCertPkcs1PemKey:
                Set(options, chain.LeafPath, TlsFiles.RsaPkcs1Pem(chain, dir), chain.IntermediatePath);
                break;
            case DotnetShape.RsaDerCertPkcs1DerKey:
                Set(options, TlsFiles.CertDer(chain, dir), TlsFiles.RsaPkcs1Der(chain, dir), chain.IntermediatePath);
                break;
            case DotnetShape.EcEncryptedPkcs8PemKeyWithPassphrase:
            case DotnetShape.RsaEncryptedPkcs8PemKeyWithPassphrase:
                Set(options, chain.LeafPath, TlsFiles.EncryptedPkcs8Pem(chain, dir), chain.IntermediatePath);
                options.Passphrase = TlsFiles.Passphrase;
                break;
            case DotnetShape.RsaEncryptedPkcs8DerKeyWithPassphrase:
                Set(options, chain.LeafPath, TlsFiles.EncryptedPkcs8Der(chain, dir), chain.IntermediatePath);
                options.Passphrase = TlsFiles.Passphrase;
                break;
            case DotnetShape.PfxWithPassword:
                options.Pfx = TlsInput.FromFile(TlsFiles.Pfx(chain, dir, TlsFiles.Passphrase));
                options.Passphrase = TlsFiles.Passphrase;
                break;
            case DotnetShape.PfxWithoutPassword:
                options.Pfx = TlsInput.FromFile(TlsFiles.Pfx(chain, dir, password: null));
                break;
            case DotnetShape.CertFileHoldingLeafAndChain:
                Set(options, dir.Write("fullchain.pem", File.ReadAllText(chain.LeafPath) + File.ReadAllText(chain.IntermediatePath)), chain.KeyPath);
                break;
            case DotnetShape.CertAndKeyInOnePemFile:
                options.Cert = TlsInput.FromFile(dir.Write("combined.pem", File.ReadAllText(chain.LeafPath) + File.ReadAllText(chain.KeyPath)));
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePath));
                break;
            case DotnetShape.InlineBytes:
                // As Node's fs.readFileSync: byte[] converts implicitly.
                options.Cert = File.ReadAllBytes(chain.LeafPath);
                options.Key = File.ReadAllBytes(chain.KeyPath);
                options.Ca.Add(File.ReadAllBytes(chain.IntermediatePath));
                break;
            case DotnetShape.InlineText:
                // A string is PEM text, as in Node.
                options.Cert = File.ReadAllText(chain.LeafPath);
                options.Key = File.ReadAllText(chain.KeyPath);
                options.Ca.Add(File.ReadAllText(chain.IntermediatePath));
                break;
            case DotnetShape.InlineDerBytes:
                options.Cert = TlsInput.FromBytes(chain.Leaf.RawData);
                options.Key = TlsInput.FromBytes(File.ReadAllBytes(TlsFiles.Pkcs8Der(chain, dir)));
                options.Ca.Add(TlsInput.FromBytes(chain.Intermediate.RawData));
                break;
        }

        await AssertLoadsAsync(options, chain, chainExpected);
    }

    [Theory]
    [MemberData(nameof(OpenSslShapes))]
    public async Task CreateServer_ShapeWrittenByOpenSsl_LoadsLeafWithWorkingKeyAndChain(OpenSslShape shape)
    {
        var chain = shape.ToString().StartsWith("Rsa", StringComparison.Ordinal) ? material.Rsa : material.Ec;
        using var dir = new TempDirectory("roost-tls-openssl");
        var key = dir.File("key.out");
        var options = new SecureServerOptions { HandleShutdownSignals = false };
        var pfx = dir.File("leaf.pfx");
        string[] pfxExport = ["pkcs12", "-export", "-in", chain.LeafPath, "-inkey", chain.KeyPath, "-certfile", chain.IntermediatePath, "-out", pfx];
        switch (shape)
        {
            case OpenSslShape.RsaTraditionalPkcs1PemKey:
                await OpenSsl.RunAsync("pkey", "-in", chain.KeyPath, "-traditional", "-out", key);
                Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", await File.ReadAllTextAsync(key, TestContext.Current.CancellationToken), StringComparison.Ordinal);
                Set(options, chain.LeafPath, key, chain.IntermediatePath);
                break;
            case OpenSslShape.RsaTraditionalPkcs1DerKey:
                await OpenSsl.RunAsync("rsa", "-in", chain.KeyPath, "-traditional", "-outform", "DER", "-out", key);
                Set(options, chain.LeafPath, key, chain.IntermediatePath);
                break;
            case OpenSslShape.EcSec1PemKey:
                await OpenSsl.RunAsync("ec", "-in", chain.KeyPath, "-out", key);
                Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", await File.ReadAllTextAsync(key, TestContext.Current.CancellationToken), StringComparison.Ordinal);
                Set(options, chain.LeafPath, key, chain.IntermediatePath);
                break;
            case OpenSslShape.DerCertAndPkcs8DerKey:
                var der = dir.File("leaf.cer");
                await OpenSsl.RunAsync("x509", "-in", chain.LeafPath, "-outform", "DER", "-out", der);
                await OpenSsl.RunAsync("pkey", "-in", chain.KeyPath, "-outform", "DER", "-out", key);
                Set(options, der, key, chain.IntermediatePath);
                break;
            case OpenSslShape.EncryptedPkcs8PemKey:
                await OpenSsl.RunAsync("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", chain.KeyPath, "-passout", $"pass:{TlsFiles.Passphrase}", "-out", key);
                Set(options, chain.LeafPath, key, chain.IntermediatePath);
                options.Passphrase = TlsFiles.Passphrase;
                break;
            case OpenSslShape.EncryptedPkcs8DerKey:
                await OpenSsl.RunAsync("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", chain.KeyPath, "-passout", $"pass:{TlsFiles.Passphrase}", "-outform", "DER", "-out", key);
                Set(options, chain.LeafPath, key, chain.IntermediatePath);
                options.Passphrase = TlsFiles.Passphrase;
                break;
            case OpenSslShape.PfxWithPassword:
                await OpenSsl.RunAsync([.. pfxExport, "-passout", $"pass:{TlsFiles.Passphrase}"]);
                options.Pfx = TlsInput.FromFile(pfx);
                options.Passphrase = TlsFiles.Passphrase;
                break;
            case OpenSslShape.PfxWithEmptyPassword:
                await OpenSsl.RunAsync([.. pfxExport, "-passout", "pass:"]);
                options.Pfx = TlsInput.FromFile(pfx);
                break;
            case OpenSslShape.PfxUnencryptedWithoutMac:
                await OpenSsl.RunAsync([.. pfxExport, "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-passout", "pass:"]);
                options.Pfx = TlsInput.FromFile(pfx);
                break;
        }

        await AssertLoadsAsync(options, chain, chainExpected: true);
    }

    [Fact]
    public void Load_TlsInputFromFile_ReadsWhenLoadedNotWhenCreated()
    {
        using var dir = new TempDirectory("roost-tls-late");
        var certPath = dir.File("later.pem");
        var keyPath = dir.File("later.key");
        var source = CertificateSource.FromPemFiles(certPath, keyPath);

        // The files appear after the options were made (e.g. written by a provisioning step): read at load time.
        File.Copy(material.Ec.LeafPath, certPath);
        File.Copy(material.Ec.KeyPath, keyPath);
        using var bundle = CertificateLoader.Load(source);

        Assert.Equal(material.Ec.Leaf.Thumbprint, bundle.Leaf.Thumbprint);
        Assert.Equal($"'{certPath}' + '{keyPath}'", bundle.Description);
    }

    [Fact]
    public void TlsInput_ToString_NamesThePathOrTheInlineSize()
    {
        Assert.Equal("'ssl/site.key'", TlsInput.FromFile("ssl/site.key").ToString());
        Assert.Equal("inline data (1,704 bytes)", TlsInput.FromBytes(new byte[1704]).ToString());
        Assert.Equal("inline text (3 bytes)", TlsInput.FromText("abc").ToString());
    }

    private static void Set(SecureServerOptions options, string cert, string key, params string[] ca)
    {
        options.Cert = TlsInput.FromFile(cert);
        options.Key = TlsInput.FromFile(key);
        foreach (var path in ca)
        {
            options.Ca.Add(TlsInput.FromFile(path));
        }
    }

    private static async Task AssertLoadsAsync(SecureServerOptions options, TestChain chain, bool chainExpected)
    {
        await using var server = Https.CreateServer(options, (req, res) => res.End());
        var bundle = server.Certificate!;

        Assert.Equal(chain.Leaf.Thumbprint, bundle.Leaf.Thumbprint);
        Assert.True(bundle.Leaf.HasPrivateKey);
        Assert.Equal(chainExpected ? [chain.Intermediate.Thumbprint] : [], bundle.Intermediates.Select(c => c.Thumbprint));
        Assert.Null(bundle.Root);
        Assert.Empty(bundle.Unused);
        AssertPrivateKeyMatches(bundle.Leaf, chain.Leaf);

        // The TLS context Kestrel serves can be built from it.
        Assert.NotNull(bundle.CreateContext());
    }

    /// <summary>A signature made with the loaded key verifies with the public key of the certificate the test made.</summary>
    private static void AssertPrivateKeyMatches(X509Certificate2 loaded, X509Certificate2 expected)
    {
        var data = "roost"u8.ToArray();
        if (expected.GetECDsaPublicKey() is { } ecPublic)
        {
            using var ecPrivate = loaded.GetECDsaPrivateKey()!;
            Assert.True(ecPublic.VerifyData(data, ecPrivate.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
            return;
        }

        using var rsaPublic = expected.GetRSAPublicKey()!;
        using var rsaPrivate = loaded.GetRSAPrivateKey()!;
        Assert.True(rsaPublic.VerifyData(data, rsaPrivate.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }
}
