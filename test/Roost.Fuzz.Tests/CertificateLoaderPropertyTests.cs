using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Roost.FuzzTargets;
using Roost.Testing;
using Roost.Tls;

namespace Roost.Fuzz.Tests;

/// <summary>
/// CertificateLoader on damaged material: mutated PEM, DER and PFX bytes (from files and inline) either load into a
/// bundle whose leaf has its key, or throw CertificateLoadException naming the file as given; nothing else escapes.
/// </summary>
public sealed class CertificateLoaderPropertyTests
{
    /// <summary>The seed corpus as (role, bytes): byte 0 of each seed is its <see cref="CertificateTarget.Role"/>.</summary>
    private static readonly IReadOnlyList<(CertificateTarget.Role Role, byte[] Bytes)> Seeds =
        [.. FuzzFiles.Files(FuzzFiles.Corpus("certificate")).Select(File.ReadAllBytes).Select(b => ((CertificateTarget.Role)(b[0] % 7), b[1..]))];

    [Fact]
    public void MutatedFiles_LoadOrThrowCertificateLoadExceptionNamingTheFile()
    {
        Assert.True(Seeds.Count >= 8, "the certificate seed corpus is missing");
        using var directory = new TempDirectory("roost-fuzz-cert");
        var gen = Gen.Int[0, Seeds.Count - 1].SelectMany(i => Mutations.Of([Seeds[i].Bytes]).Select(bytes => (Seeds[i].Role, Bytes: bytes)));
        var round = 0;
        Property.Check(gen, input =>
        {
            // A fresh name per input: the message must name this file, as the user gave it.
            var path = directory.Write($"material-{Interlocked.Increment(ref round)}.{input.Role.ToString().ToLowerInvariant()}", input.Bytes);
            CertificateTarget.Load(input.Role, TlsInput.FromFile(path));
        }, iterations: 400);
    }

    [Fact]
    public void MutatedInlineMaterial_LoadsOrThrowsCertificateLoadException()
    {
        var gen = Gen.Int[0, Seeds.Count - 1].SelectMany(i => Mutations.Of([Seeds[i].Bytes], maxSteps: 3).Select(bytes => (Seeds[i].Role, Bytes: bytes)));
        Property.Check(gen, input => CertificateTarget.Load(input.Role, TlsInput.FromBytes(input.Bytes)), iterations: 600);
    }

    [Fact]
    public void ArbitraryBytes_InEveryRole_ThrowCertificateLoadException()
    {
        Property.Check(Gen.Select(Gen.Enum<CertificateTarget.Role>(), Gen.Byte.Array[0, 300]), input =>
        {
            var (role, bytes) = input;
            CertificateTarget.Load(role, TlsInput.FromBytes(bytes));
        }, iterations: 600);
    }

    [Fact]
    public void PemWithDamagedBase64_InEveryRole_ThrowsCertificateLoadException()
    {
        // PEM armour kept intact, the base64 inside damaged: the text-level path rather than the byte-level one.
        var pem = Seeds.Where(s => CertificateLoader.LooksLikePem(s.Bytes)).ToList();
        var gen = Gen.Select(Gen.Int[0, pem.Count - 1], Gen.Int[0, int.MaxValue], Gen.Char["A/+=-\n 0z"], (i, at, c) =>
        {
            var text = Encoding.ASCII.GetString(pem[i].Bytes);
            var start = text.IndexOf('\n') + 1;
            var where = start + (at % (text.LastIndexOf("-----END", StringComparison.Ordinal) - start));
            return (pem[i].Role, Bytes: Encoding.ASCII.GetBytes(text[..where] + c + text[(where + 1)..]));
        });
        Property.Check(gen, input => CertificateTarget.Load(input.Role, TlsInput.FromBytes(input.Bytes)), iterations: 400);
    }

    [Theory]
    [InlineData("der-certificate-with-corrupt-public-key")]
    [InlineData("pem-certificate-with-corrupt-public-key")]
    public void CertificateWithCorruptPublicKey_ThrowsCorruptCertificateNamingTheFile(string regression)
    {
        // Found by fuzzing: the certificate parsed, its damaged public key threw CryptographicException out of Load.
        var input = File.ReadAllBytes(Path.Combine(FuzzFiles.Regressions("certificate"), regression));
        using var directory = new TempDirectory("roost-fuzz-cert");
        var cert = directory.Write("site.pem", input[1..]);
        var key = directory.Write("site.key", CertificateTarget.Key.ToArray());

        var ex = Assert.Throws<CertificateLoadException>(() => CertificateLoader.Load(CertificateSource.FromPemFiles(cert, key)));

        Assert.Equal(cert, ex.Path);
        Assert.Equal("Cert", ex.Option);
        Assert.StartsWith($"Certificate number 1 in '{cert}' (option Cert) is corrupt:", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<CryptographicException>(ex.InnerException);
    }

    [Fact]
    public void KeyOnACurveThePlatformLacks_ThrowsUnsupportedKeyNamingTheFile()
    {
        // Found by fuzzing: a PKCS#8 EC key whose curve OID was damaged threw PlatformNotSupportedException out of Load.
        var input = File.ReadAllBytes(Path.Combine(FuzzFiles.Regressions("certificate"), "pkcs8-key-on-unknown-curve"));
        using var directory = new TempDirectory("roost-fuzz-cert");
        var cert = directory.Write("site.pem", CertificateTarget.Certificate.ToArray());
        var key = directory.Write("site.key", input[1..]);

        var ex = Assert.Throws<CertificateLoadException>(() => CertificateLoader.Load(CertificateSource.FromPemFiles(cert, key)));

        Assert.Equal(key, ex.Path);
        Assert.Equal($"Private key '{key}' (option Key) is not an RSA or EC (ECDSA) key this server can use. Issue the certificate with an RSA (2048 bits or more) or EC P-256/P-384 key.", ex.Message);
    }
}
