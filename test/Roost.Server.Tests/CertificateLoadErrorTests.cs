using Roost.Testing;
using Roost.Tls;

namespace Roost.Server.Tests;

/// <summary>
/// Every bad TLS input fails in <c>Https.CreateServer</c> and <c>Http2.CreateSecureServer</c> — before any socket
/// exists — with a <see cref="CertificateLoadException"/> whose message (from <c>ErrorMessages</c>) names the file or
/// option, what is wrong and what to do; <c>CertificateStore.Check</c> (the primary's check, no server built) throws
/// the same exception.
/// </summary>
public sealed class CertificateLoadErrorTests(TlsMaterialFixture material) : IClassFixture<TlsMaterialFixture>
{
    private static readonly TlsOptionNames Names = TlsOptionNames.Facade;

    [Fact]
    public void CreateServer_CertFileMissing_NamesPathOptionAndWorkingDirectory()
    {
        using var dir = new TempDirectory("roost-tls-error");
        var missing = dir.File("missing.pem");
        var options = Options(TlsInput.FromFile(missing), TlsInput.FromFile(material.Ec.KeyPath));

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsFileMissing(missing, "Cert"), FirstLine(error));
        Assert.Contains(Environment.CurrentDirectory, error.Message, StringComparison.Ordinal);
        Assert.Equal(missing, error.Path);
        Assert.Equal("Cert", error.Option);
        Assert.IsType<FileNotFoundException>(Assert.IsType<CertificateLoadException>(error.InnerException).InnerException);
    }

    [Fact]
    public void CreateServer_KeyFileInMissingFolder_NamesKeyOption()
    {
        var missing = Path.Combine("no-such-folder", "site.key");
        var options = Options(TlsInput.FromFile(material.Ec.LeafPath), TlsInput.FromFile(missing));

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsFileMissing(missing, "Key"), FirstLine(error));
        Assert.Equal("Key", error.Option);
    }

    [Fact]
    public void CreateServer_CaFileMissing_NamesCaOption()
    {
        using var dir = new TempDirectory("roost-tls-error");
        var missing = dir.File("chain.pem");
        var options = Options(TlsInput.FromFile(material.Ec.LeafPath), TlsInput.FromFile(material.Ec.KeyPath));
        options.Ca.Add(TlsInput.FromFile(missing));

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsFileMissing(missing, "Ca"), FirstLine(error));
        Assert.Equal("Ca", error.Option);
    }

    [Theory]
    [InlineData("Cert")]
    [InlineData("Key")]
    public void CreateServer_EmptyFile_SaysEmptyAndMentionsRenewal(string option)
    {
        using var dir = new TempDirectory("roost-tls-error");
        var empty = TlsInput.FromFile(dir.Write("empty.pem", []));
        var options = option == "Cert"
            ? Options(empty, TlsInput.FromFile(material.Ec.KeyPath))
            : Options(TlsInput.FromFile(material.Ec.LeafPath), empty);

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsInputEmpty(empty, option), FirstLine(error));
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
        Assert.Equal(empty.Path, error.Path);
        Assert.Equal(option, error.Option);
    }

    [Fact]
    public void CreateServer_EmptyInlineBytes_SaysEmpty()
    {
        var empty = TlsInput.FromBytes([]);
        var options = Options(empty, TlsInput.FromFile(material.Ec.KeyPath));

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsInputEmpty(empty, "Cert"), FirstLine(error));
        Assert.Null(error.Path);
    }

    [Fact]
    public void CreateServer_KeyGivenAsCert_SaysNotACertificateAndSuggestsSwap()
    {
        var cert = TlsInput.FromFile(material.Ec.KeyPath);
        var key = TlsInput.FromFile(material.Ec.LeafPath);

        var error = AssertCreateServerFails(Options(cert, key));

        Assert.Equal(ErrorMessages.TlsNotACertificate(cert, "Cert", "PEM 'PRIVATE KEY'"), FirstLine(error));
        Assert.EndsWith("this is a private key: did you swap the certificate and the key?", FirstLine(error), StringComparison.Ordinal);
        Assert.Equal(material.Ec.KeyPath, error.Path);
        Assert.Equal("Cert", error.Option);
    }

    [Fact]
    public void CreateServer_CertGivenAsKey_SaysNotAKeyAndSuggestsSwap()
    {
        var key = TlsInput.FromFile(material.Ec.LeafPath);

        var error = AssertCreateServerFails(Options(TlsInput.FromFile(material.Ec.LeafPath), key));

        Assert.Equal(ErrorMessages.TlsNotAKey(key, Names, "PEM 'CERTIFICATE'"), FirstLine(error));
        Assert.EndsWith("this is a certificate: did you swap the certificate and the key?", FirstLine(error), StringComparison.Ordinal);
        Assert.Equal("Key", error.Option);
    }

    [Fact]
    public void CreateServer_KeyFileHoldsText_SaysNotAKey()
    {
        using var dir = new TempDirectory("roost-tls-error");
        var key = TlsInput.FromFile(dir.Write("notes.txt", "not a key at all"));

        var error = AssertCreateServerFails(Options(TlsInput.FromFile(material.Ec.LeafPath), key));

        Assert.Equal(ErrorMessages.TlsNotAKey(key, Names, "16 bytes that are neither PEM nor DER"), FirstLine(error));
    }

    [Fact]
    public void CreateServer_CertFileHoldsText_SaysNotACertificate()
    {
        using var dir = new TempDirectory("roost-tls-error");
        var cert = TlsInput.FromFile(dir.Write("site.cer", "<html>404 Not Found</html>"));

        var error = AssertCreateServerFails(Options(cert, TlsInput.FromFile(material.Ec.KeyPath)));

        Assert.Equal(ErrorMessages.TlsNotACertificate(cert, "Cert", "26 bytes that are neither PEM nor DER"), FirstLine(error));
    }

    [Fact]
    public void CreateServer_CaHoldsKey_SaysNotACertificateForCa()
    {
        var ca = TlsInput.FromFile(material.Ec.KeyPath);
        var options = Options(TlsInput.FromFile(material.Ec.LeafPath), TlsInput.FromFile(material.Ec.KeyPath));
        options.Ca.Add(ca);

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsNotACertificate(ca, "Ca", "PEM 'PRIVATE KEY'"), FirstLine(error));
        Assert.Equal("Ca", error.Option);
    }

    [Fact]
    public void CreateServer_KeyMissing_SaysWhichOptionToSet()
    {
        var cert = TlsInput.FromFile(material.Ec.LeafPath);
        var options = new SecureServerOptions { Cert = cert, HandleShutdownSignals = false };

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsKeyMissing(cert, Names), FirstLine(error));
        Assert.Equal("Key", error.Option);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateServer_KeyOfAnotherCertificate_SaysKeyDoesNotMatch(bool otherAlgorithm)
    {
        // Same algorithm (EC key of another chain) and another algorithm (RSA key for an EC certificate).
        var cert = TlsInput.FromFile(material.Ec.LeafPath);
        var key = TlsInput.FromFile(otherAlgorithm ? material.Rsa.KeyPath : material.Other.KeyPath);

        var error = AssertCreateServerFails(Options(cert, key));

        Assert.Equal(ErrorMessages.TlsKeyDoesNotMatch(key, cert, material.Ec.Leaf, Names), FirstLine(error));
        Assert.Contains(material.Ec.Leaf.Thumbprint, error.Message, StringComparison.Ordinal);
        Assert.Contains("same issuance", error.Message, StringComparison.Ordinal);
        Assert.Equal("Key", error.Option);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateServer_EncryptedKeyWithoutPassphrase_SaysSetPassphrase(bool der)
    {
        using var dir = new TempDirectory("roost-tls-error");
        var key = TlsInput.FromFile(der ? TlsFiles.EncryptedPkcs8Der(material.Ec, dir) : TlsFiles.EncryptedPkcs8Pem(material.Ec, dir));

        var error = AssertCreateServerFails(Options(TlsInput.FromFile(material.Ec.LeafPath), key));

        Assert.Equal(ErrorMessages.TlsKeyEncryptedNoPassphrase(key, Names), FirstLine(error));
        Assert.Equal("Passphrase", error.Option);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void CreateServer_EncryptedKeyWithWrongPassphrase_SaysCheckPassphrase(bool der, bool rsa)
    {
        var chain = rsa ? material.Rsa : material.Ec;
        using var dir = new TempDirectory("roost-tls-error");
        var key = TlsInput.FromFile(der ? TlsFiles.EncryptedPkcs8Der(chain, dir) : TlsFiles.EncryptedPkcs8Pem(chain, dir));
        var options = Options(TlsInput.FromFile(chain.LeafPath), key);
        options.Passphrase = TlsFiles.Passphrase + "\n";

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsKeyWrongPassphrase(key, Names), FirstLine(error));
        Assert.Equal("Passphrase", error.Option);
    }

    [Theory]
    [InlineData("rsa", false)]
    [InlineData("rsa", true)]
    [InlineData("ec", false)]
    [InlineData("ec", true)]
    public async Task CreateServer_LegacyOpenSslEncryptedPemKey_SaysConvertToPkcs8(string algorithm, bool passphraseGiven)
    {
        // 'openssl rsa|ec -aes256' writes 'Proc-Type: 4,ENCRYPTED' + 'DEK-Info' headers, which .NET cannot decrypt.
        var chain = algorithm == "rsa" ? material.Rsa : material.Ec;
        using var dir = new TempDirectory("roost-tls-error");
        var legacy = dir.File("legacy.key");
        string[] traditional = algorithm == "rsa" ? ["-traditional"] : [];
        await OpenSsl.RunAsync([algorithm, "-in", chain.KeyPath, "-aes256", "-passout", $"pass:{TlsFiles.Passphrase}", .. traditional, "-out", legacy]);
        Assert.Contains("Proc-Type: 4,ENCRYPTED", await File.ReadAllTextAsync(legacy, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var key = TlsInput.FromFile(legacy);
        var options = Options(TlsInput.FromFile(chain.LeafPath), key);
        options.Passphrase = passphraseGiven ? TlsFiles.Passphrase : null;

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsKeyLegacyEncryption(key, Names), FirstLine(error));
        Assert.Contains("openssl pkcs8 -topk8", error.Message, StringComparison.Ordinal);
        Assert.Equal("Key", error.Option);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    public void CreateServer_PfxWithPasswordButMissingOrWrongPassphrase_SaysSo(string? passphrase)
    {
        using var dir = new TempDirectory("roost-tls-error");
        var pfx = TlsInput.FromFile(TlsFiles.Pfx(material.Ec, dir, TlsFiles.Passphrase));
        var options = new SecureServerOptions { Pfx = pfx, Passphrase = passphrase, HandleShutdownSignals = false };

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsPfxPassword(pfx, passphraseGiven: passphrase is not null, Names), FirstLine(error));
        Assert.Contains(passphrase is null ? "no passphrase was given" : "Check the passphrase", error.Message, StringComparison.Ordinal);
        Assert.Equal("Passphrase", error.Option);
    }

    [Fact]
    public void CreateServer_PemGivenAsPfx_SaysNotAPfxAndWhatToUseInstead()
    {
        var pfx = TlsInput.FromFile(material.Ec.LeafPath);
        var options = new SecureServerOptions { Pfx = pfx, HandleShutdownSignals = false };

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsNotAPfx(pfx, Names, "PEM 'CERTIFICATE'"), FirstLine(error));
        Assert.Equal("Pfx", error.Option);
    }

    [Fact]
    public void CreateServer_TextGivenAsPfx_SaysNotAPfx()
    {
        using var dir = new TempDirectory("roost-tls-error");
        var pfx = TlsInput.FromFile(dir.Write("site.pfx", "not a bundle"));
        var options = new SecureServerOptions { Pfx = pfx, HandleShutdownSignals = false };

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsNotAPfx(pfx, Names, "12 bytes that are neither PEM nor DER"), FirstLine(error));
    }

    [Fact]
    public void CreateServer_NothingGiven_SaysWhatToSet()
    {
        var options = new SecureServerOptions { HandleShutdownSignals = false };

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsNothingGiven(Names), FirstLine(error));
        Assert.Contains("roost cert dev", error.Message, StringComparison.Ordinal);
        Assert.Null(error.Path);
    }

    [Fact]
    public void CreateServer_PfxAndCertBothGiven_SaysChooseOne()
    {
        using var dir = new TempDirectory("roost-tls-error");
        var options = Options(TlsInput.FromFile(material.Ec.LeafPath), TlsInput.FromFile(material.Ec.KeyPath));
        options.Pfx = TlsInput.FromFile(TlsFiles.Pfx(material.Ec, dir, password: null));

        var error = AssertCreateServerFails(options);

        Assert.Equal(ErrorMessages.TlsPfxAndPem(Names), FirstLine(error));
        Assert.Equal("Pfx", error.Option);
    }

    private static SecureServerOptions Options(TlsInput cert, TlsInput key) =>
        new() { Cert = cert, Key = key, HandleShutdownSignals = false };

    /// <summary>
    /// Both secure factories must throw the same exception while creating the server: nothing is returned that could
    /// listen, so no socket is ever bound with bad TLS input.
    /// </summary>
    private static CertificateLoadException AssertCreateServerFails(SecureServerOptions options)
    {
        var https = Assert.Throws<CertificateLoadException>(() => Https.CreateServer(options, (req, res) => res.End()));
        var http2 = Assert.Throws<CertificateLoadException>(() => Http2.CreateSecureServer(options, (req, res) => res.End()));
        Assert.Equal(https.Message, http2.Message);
        Assert.Equal(https.Option, http2.Option);

        // The check a cluster primary runs without building a server (roost serve --workers) fails the same way.
        var check = Assert.Throws<CertificateLoadException>(() => CertificateStore.Check(options));
        Assert.Equal(https.Message, check.Message);
        Assert.Equal(https.Option, check.Option);
        return https;
    }

    [Fact]
    public void Check_GoodMaterial_DoesNotThrow()
    {
        CertificateStore.Check(material.Ec.ServerOptions());
    }

    /// <summary>The loader's own message; the certificate check may add lines about the rest of the material after it.</summary>
    private static string FirstLine(CertificateLoadException error) => error.Message.Split('\n')[0];
}
