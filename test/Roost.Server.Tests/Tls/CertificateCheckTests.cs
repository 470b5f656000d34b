using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Roost.Testing;
using Roost.Tls;

namespace Roost.Server.Tests.Tls;

/// <summary>
/// One test per finding of <see cref="CertificateCheck"/>, on certificates generated for the test, asserting the exact
/// message (these cases are the table in docs/tls.md). Options are named as the CLI names them (--cert, --key, --ca).
/// </summary>
public sealed class CertificateCheckTests : IDisposable
{
    private readonly TempDirectory _dir = new("roost-check");
    private readonly TestChain _chain = TestCertificates.CreateChain();
    private readonly List<CertificateCheckResult> _results = [];

    public void Dispose()
    {
        foreach (var result in _results)
        {
            result.Bundle?.Dispose();
        }

        _chain.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void ValidChainWithRoot_HasNoErrorsOrWarnings_AndDescribesTheChain()
    {
        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, _chain.RootPath));

        Assert.DoesNotContain(result.Findings, f => f.Severity != CertificateFindingSeverity.Ok);
        Assert.NotNull(result.Bundle);
        Assert.Equal(
            $"ok: Chain sent in each handshake: 'CN=localhost' from '{_chain.LeafPath}' (option --cert) → 'CN=Roost Test Intermediate CA' from '{_chain.IntermediatePath}' (option --ca); it ends at root 'CN=Roost Test Root CA' from '{_chain.RootPath}' (option --ca), which is not sent.",
            Single(result, CertificateFindingCodes.Chain).ToString());
        Assert.Equal(
            $"ok: Private key '{_chain.KeyPath}' (option --key) matches certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}).",
            Single(result, CertificateFindingCodes.KeyMatches).ToString());
        Assert.Equal($"ok: Certificate '{_chain.LeafPath}' (option --cert) covers 'localhost', '127.0.0.1', '::1'.", Single(result, CertificateFindingCodes.HostNames).ToString());
        Assert.Equal($"ok: Certificate '{_chain.LeafPath}' (option --cert) has a EC 256-bit (ECDSA_P256) key.", Single(result, CertificateFindingCodes.KeyStrength).ToString());
        Assert.Equal($"ok: Certificate '{_chain.LeafPath}' (option --cert) is signed with sha256ECDSA.", Single(result, CertificateFindingCodes.Signature).ToString());
        Assert.Equal($"ok: Certificate '{_chain.LeafPath}' (option --cert) may be used by TLS servers (extended key usage serverAuth).", Single(result, CertificateFindingCodes.ServerAuth).ToString());
    }

    [Fact]
    public void MissingFiles_AreAllReportedAtOnce()
    {
        var cert = _dir.File("nope.pem");
        var key = _dir.File("nope.key");

        var result = Check(Source(cert, key));

        Assert.Equal(
            [
                $"error: TLS file '{cert}' (option --cert) does not exist. Check the path; relative paths are resolved against the working directory '{Environment.CurrentDirectory}'.",
                $"error: TLS file '{key}' (option --key) does not exist. Check the path; relative paths are resolved against the working directory '{Environment.CurrentDirectory}'.",
            ],
            result.Findings.Select(f => f.ToString()));
        Assert.Null(result.Bundle);
    }

    [Fact]
    public void UnreadableFile_IsAnError()
    {
        // Tests run as root here, where permissions do not stop reads: a directory cannot be read on any account.
        var cert = Directory.CreateDirectory(_dir.File("cert-is-a-directory.pem")).FullName;

        var result = Check(Source(cert, _chain.KeyPath));

        Assert.Equal(
            $"error: TLS file '{cert}' (option --cert) cannot be read: Access to the path '{cert}' is denied. Check the file's permissions and that the server's user can read it.",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void EmptyFile_IsAnError()
    {
        var cert = _dir.Write("empty.pem", string.Empty);

        var result = Check(Source(cert, _chain.KeyPath));

        Assert.Equal(
            $"error: TLS input '{cert}' (option --cert) is empty. Check that the file was written completely; a renewal that is still in progress can leave an empty file.",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void NotACertificate_IsAnError()
    {
        var cert = _dir.Write("site.pem", "this is not a certificate");

        var result = Check(Source(cert, _chain.KeyPath));

        Assert.Equal(
            $"error: TLS input '{cert}' (option --cert) does not hold a certificate: found 25 bytes that are neither PEM nor DER. Expected PEM ('-----BEGIN CERTIFICATE-----') or DER; check that --cert points at the right file.",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void NotAKey_SwappedWithTheCertificate_IsAnErrorWithTheHint()
    {
        var result = Check(Source(_chain.LeafPath, _chain.LeafPath));

        Assert.Equal(
            $"error: TLS input '{_chain.LeafPath}' (option --key) does not hold a private key: found PEM 'CERTIFICATE'. Expected PEM ('-----BEGIN PRIVATE KEY-----', 'RSA PRIVATE KEY', 'EC PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY') or DER PKCS#1/PKCS#8/SEC1; this is a certificate: did you swap the certificate and the key?",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());

        // The certificate itself is still checked.
        Assert.Contains(result.Findings, f => f.Code == CertificateFindingCodes.Validity);
    }

    [Fact]
    public void DerCertificateNamedPem_Loads_WithANote()
    {
        var cert = _dir.Write("site.pem", _chain.Leaf.RawData);

        var result = Check(Source(cert, _chain.KeyPath, _chain.IntermediatePath));

        Assert.False(result.HasErrors);
        Assert.Equal(
            $"ok: '{cert}' (option --cert) is DER although its extension '.pem' usually means PEM; it was read as DER, no action needed.",
            result.Findings.First(f => f.Code == CertificateFindingCodes.Format).ToString());
    }

    [Fact]
    public void PemCertificateNamedDer_Loads_WithANote()
    {
        var cert = _dir.Write("site.der", TestCertificates.Pem(_chain.Leaf));

        var result = Check(Source(cert, _chain.KeyPath, _chain.IntermediatePath));

        Assert.False(result.HasErrors);
        Assert.Equal(
            $"ok: '{cert}' (option --cert) is PEM although its extension '.der' usually means DER; it was read as PEM, no action needed.",
            result.Findings.First(f => f.Code == CertificateFindingCodes.Format).ToString());
    }

    [Fact]
    public void CerWithSeveralCertificates_UsesTheFirstAsLeafAndTheRestAsChain()
    {
        var cert = _dir.Write("site.cer", TestCertificates.Pem(_chain.Leaf, _chain.Intermediate, _chain.Root));

        var result = Check(Source(cert, _chain.KeyPath));

        Assert.False(result.HasErrors);
        Assert.Equal(
            $"ok: '{cert}' (option --cert) is PEM with 3 certificates: the first is the server certificate, the other 2 are used as its chain (put in order automatically).",
            Single(result, CertificateFindingCodes.Format).ToString());
        Assert.Single(result.Bundle!.Intermediates);
        Assert.NotNull(result.Bundle.Root);
    }

    [Fact]
    public void KeyDoesNotMatch_IsAnError()
    {
        using var other = TestCertificates.CreateLeaf(_chain.Intermediate);
        var key = _dir.Write("other.key", TestCertificates.KeyPem(other));

        var result = Check(Source(_chain.LeafPath, key, _chain.IntermediatePath));

        Assert.Equal(
            $"error: Private key '{key}' (option --key) does not match certificate '{_chain.LeafPath}' (option --cert; subject 'CN=localhost', thumbprint {_chain.Leaf.Thumbprint}, key EC 256). Make sure both files come from the same issuance.",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void EncryptedKeyWithoutPassphrase_IsAnError()
    {
        var key = WriteEncryptedKey("secret");

        var result = Check(Source(_chain.LeafPath, key, _chain.IntermediatePath));

        Assert.Equal(
            $"error: Private key '{key}' (option --key) is encrypted, but no passphrase was given. Set --passphrase, or decrypt the key once with 'openssl pkey -in <key> -out <plain key>' and keep it readable only by the server's user.",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void EncryptedKeyWithWrongPassphrase_IsAnError()
    {
        var key = WriteEncryptedKey("secret");
        var source = Source(_chain.LeafPath, key, _chain.IntermediatePath);
        source.Passphrase = "wrong";

        var result = Check(source);

        Assert.Equal(
            $"error: Private key '{key}' (option --key) could not be decrypted with the passphrase given in --passphrase. Check the passphrase (it is case-sensitive; a trailing newline from a file counts).",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void EncryptedKeyWithRightPassphrase_Loads()
    {
        var key = WriteEncryptedKey("secret");
        var source = Source(_chain.LeafPath, key, _chain.IntermediatePath);
        source.Passphrase = "secret";

        Assert.False(Check(source).HasErrors);
    }

    [Fact]
    public void PfxWithWrongPassphrase_IsAnError()
    {
        var pfx = _dir.Write("site.pfx", _chain.Leaf.Export(X509ContentType.Pkcs12, "secret"));
        var source = new CertificateSource { Pfx = TlsInput.FromFile(pfx), Passphrase = "wrong", Names = TlsOptionNames.Cli };

        var result = Check(source);

        Assert.Equal(
            $"error: PFX '{pfx}' (option --pfx) could not be opened with the passphrase given in --passphrase. Check the passphrase.",
            Single(result, CertificateFindingCodes.LoadFailed).ToString());
    }

    [Fact]
    public void Expired_IsAnError()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(_chain.Leaf.NotAfter.ToUniversalTime()).AddDays(10));

        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, _chain.RootPath), clock: clock);

        Assert.Equal(
            $"error: Certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) expired on {Iso(_chain.Leaf.NotAfter)} (10 days ago). Renew it with your CA and replace the file; a running server picks up the new file without a restart.",
            Single(result, CertificateFindingCodes.Expired).ToString());
    }

    [Fact]
    public void NotYetValid_IsAnError()
    {
        var now = new DateTimeOffset(_chain.Leaf.NotBefore.ToUniversalTime()).AddHours(-2);
        var clock = new FakeTimeProvider(now);

        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, _chain.RootPath), clock: clock);

        var leafFinding = result.Findings.First(f => f.Code == CertificateFindingCodes.NotYetValid);
        Assert.Equal(
            $"error: Certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) is not valid until {Iso(_chain.Leaf.NotBefore)} (now is {Iso(now.UtcDateTime)}). Check this machine's clock, or wait until then.",
            leafFinding.ToString());
    }

    [Fact]
    public void ExpiresWithin14Days_IsAWarning()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(_chain.Leaf.NotAfter.ToUniversalTime()).AddDays(-5).AddHours(-1));

        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, _chain.RootPath), clock: clock);

        Assert.False(result.HasErrors);
        Assert.Equal(
            $"warning: Certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) expires on {Iso(_chain.Leaf.NotAfter)}, in 5 days (less than 14). Renew it now (e.g. 'certbot renew'); a running server picks up the new files without a restart.",
            Single(result, CertificateFindingCodes.ExpiresSoon).ToString());
    }

    // Verifies: a certificate Roost renews itself (ACME) that expires within 14 days is information naming the automatic
    // renewal, with no warning and no advice to run certbot.
    [Fact]
    public void ExpiresWithin14Days_RenewedAutomatically_IsInformationNotAWarning()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(_chain.Leaf.NotAfter.ToUniversalTime()).AddDays(-5).AddHours(-1));
        var options = new CertificateCheckOptions { TimeProvider = clock, UseSystemTrustStore = false, RenewedAutomatically = true };

        var result = CertificateCheck.Run(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, _chain.RootPath), options);
        _results.Add(result);

        Assert.False(result.HasErrors);
        Assert.DoesNotContain(result.Findings, f => f.Code == CertificateFindingCodes.ExpiresSoon || f.Message.Contains("certbot", StringComparison.Ordinal));
        Assert.Equal(
            $"ok: Certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) expires on {Iso(_chain.Leaf.NotAfter)}, in 5 days; Roost renews it automatically from the ACME CA ('roost cert status' shows the next attempt).",
            result.Findings.Single(f => f.Code == CertificateFindingCodes.Validity).ToString());
    }

    [Fact]
    public void WeakRsaKey_IsAnError()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { KeyKind = GeneratedKeyKind.Rsa, RsaKeySize = 1024 });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath));

        Assert.Equal(
            $"error: Certificate '{cert}' (option --cert) ({Describe(leaf)}) has a RSA 1024-bit key; at least 2048 bits is required (CA/Browser Forum Baseline Requirements §6.1.5) and clients refuse weaker keys. Issue a new certificate with an RSA 2048+ or EC P-256 key.",
            Single(result, CertificateFindingCodes.WeakKey).ToString());
    }

    [Fact]
    public void Sha1Signature_IsAWarning()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { SignatureHash = HashAlgorithmName.SHA1 }, new LegacySignatureGenerator(_chain.Intermediate, HashAlgorithmName.SHA1));
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath));

        Assert.Equal(
            $"warning: Certificate '{cert}' (option --cert) ({Describe(leaf)}) is signed with SHA-1 (sha1ECDSA); browsers have rejected SHA-1 signed server certificates since 2017. Ask your CA to reissue it with SHA-256.",
            Single(result, CertificateFindingCodes.Sha1Signature).ToString());
    }

    [Fact]
    public void Md5Signature_IsAnError()
    {
        using var rsaRoot = CertificateChainFactory.CreateRoot("CN=RSA Root", keyKind: GeneratedKeyKind.Rsa);
        using var leaf = TestCertificates.CreateLeaf(rsaRoot, new GeneratedCertificateSpec(), new LegacySignatureGenerator(rsaRoot, HashAlgorithmName.MD5));
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key));

        Assert.Equal(
            $"error: Certificate '{cert}' (option --cert) ({Describe(leaf)}) is signed with md5RSA, which is broken; no client accepts it. Ask your CA to reissue it with SHA-256.",
            Single(result, CertificateFindingCodes.BrokenSignature).ToString());
    }

    [Fact]
    public void NoSubjectAltNames_IsAWarning_AndHostIsThenAnError()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { Subject = "CN=www.example.test", DnsNames = [], IpAddresses = [] });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath), host: "www.example.test");

        Assert.Equal(
            $"warning: Certificate '{cert}' (option --cert) ({Describe(leaf)}) has no subject alternative names; browsers ignore the subject's CN and will accept it for no host name. Issue a certificate that lists every host name as a DNS name.",
            Single(result, CertificateFindingCodes.NoSubjectAltName).ToString());
        Assert.Equal(
            $"error: Host name 'www.example.test' (option --host) is not in the subject alternative names of certificate '{cert}' (option --cert) ({Describe(leaf)}; names: none). Browsers check only these names, never the subject's CN; get a certificate that lists 'www.example.test'.",
            Single(result, CertificateFindingCodes.HostMismatch).ToString());
    }

    [Fact]
    public void ForgedIntermediate_SameNameAndKeyIdButOtherKey_ChainDoesNotVerify()
    {
        // Same subject and subject key identifier as the real intermediate, different key: names match, signatures do not.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(_chain.Intermediate.SubjectName, otherKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(_chain.Intermediate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_chain.Root, true, false));
        using var forged = request.Create(_chain.Root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3, 4]);
        var ca = _dir.Write("forged.pem", TestCertificates.Pem(forged));

        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, ca, _chain.RootPath));

        var finding = Single(result, CertificateFindingCodes.ChainInvalid);
        Assert.StartsWith(
            $"error: The chain of certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) does not verify up to its root: ",
            finding.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(". Download the certificate and the chain again from your CA; the files do not belong together.", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeafWithoutServerAuth_IsAnError()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { ExtendedKeyUsages = [CertificateChainFactory.ClientAuthOid] });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath));

        Assert.Equal(
            $"error: Certificate '{cert}' (option --cert) ({Describe(leaf)}) has extended key usages TLS Web Client Authentication (1.3.6.1.5.5.7.3.2) but not serverAuth (1.3.6.1.5.5.7.3.1); TLS clients refuse it as a server certificate. Issue a certificate for 'TLS Web Server Authentication'.",
            Single(result, CertificateFindingCodes.NoServerAuth).ToString());
    }

    [Fact]
    public void LeafWithoutAnyEku_IsAWarning()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { ExtendedKeyUsages = [] });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath));

        Assert.Equal(
            $"warning: Certificate '{cert}' (option --cert) ({Describe(leaf)}) has no extended key usage extension; most clients accept that, but the CA/Browser Forum Baseline Requirements (§7.1.2.7.10) require serverAuth and strict clients refuse it. Ask your CA for a certificate with 'TLS Web Server Authentication'.",
            Single(result, CertificateFindingCodes.NoEku).ToString());
    }

    [Fact]
    public void CaCertificateAsLeaf_IsAnError()
    {
        var (cert, key) = WriteLeaf(_chain.Intermediate);

        var result = Check(Source(cert, key, _chain.RootPath));

        Assert.Equal(
            $"error: Certificate '{cert}' (option --cert) ({Describe(_chain.Intermediate)}) is a CA certificate (basicConstraints CA:true), not a server certificate; clients refuse it. Pass your server (leaf) certificate as --cert and the CA certificates as --ca.",
            Single(result, CertificateFindingCodes.LeafIsCa).ToString());
    }

    [Fact]
    public void HostNotInSubjectAltNames_IsAnError()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { Subject = "CN=www.example.test", DnsNames = ["example.test"], IpAddresses = [] });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath), host: "www.example.test");

        Assert.Equal(
            $"error: Host name 'www.example.test' (option --host) is not in the subject alternative names of certificate '{cert}' (option --cert) ({Describe(leaf)}; names: 'example.test'). Browsers check only these names, never the subject's CN; get a certificate that lists 'www.example.test'.",
            Single(result, CertificateFindingCodes.HostMismatch).ToString());
    }

    [Fact]
    public void HostCoveredByWildcard_IsOk()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { DnsNames = ["*.example.test"], IpAddresses = [] });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key, _chain.IntermediatePath, _chain.RootPath), host: "api.example.test");

        Assert.Equal(
            $"ok: Host name 'api.example.test' (option --host) is covered by certificate '{cert}' (option --cert) (subject alternative name '*.example.test').",
            Single(result, CertificateFindingCodes.HostNames).ToString());
        Assert.Equal(CertificateFindingCodes.HostMismatch, Single(Check(Source(cert, key, _chain.IntermediatePath), host: "a.b.example.test"), CertificateFindingCodes.HostMismatch).Code);
    }

    [Fact]
    public void IntermediateMissing_WithOnlyTheRootGiven_IsAnError()
    {
        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.RootPath));

        Assert.Equal(
            $"error: Certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) was issued by 'CN=Roost Test Intermediate CA', but that certificate was not given (the root 'CN=Roost Test Root CA' was given, but it did not issue this certificate): the intermediate is missing, and clients that trust only the root cannot verify the server. Pass the intermediate certificate(s) from your CA with --ca (often 'chain.pem', 'ca-bundle.crt' or the second certificate of 'fullchain.pem').",
            Single(result, CertificateFindingCodes.IntermediateMissing).ToString());
        Assert.DoesNotContain(result.Findings, f => f.Code == CertificateFindingCodes.UnrelatedCertificate);
    }

    [Fact]
    public void IntermediateMissing_LeafAlone_IsAnError()
    {
        var result = Check(Source(_chain.LeafPath, _chain.KeyPath));

        Assert.StartsWith(
            $"error: Certificate '{_chain.LeafPath}' (option --cert) ({Describe(_chain.Leaf)}) was issued by 'CN=Roost Test Intermediate CA', but that certificate was not given: the intermediate is missing",
            Single(result, CertificateFindingCodes.IntermediateMissing).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ChainEndingAtAnUnknownIssuer_IsAWarning()
    {
        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath));

        Assert.Equal(
            $"warning: The chain ends at '{_chain.IntermediatePath}' (option --ca) ({Describe(_chain.Intermediate)}), issued by 'CN=Roost Test Root CA', which was not given and is not trusted on this machine. If that is a root your clients trust (a private CA), this is fine (pass it with --ca to confirm; it is not sent); otherwise an intermediate is missing.",
            Single(result, CertificateFindingCodes.ChainIncomplete).ToString());
    }

    [Fact]
    public void ChainOutOfOrder_IsReordered_WithAWarning()
    {
        using var upper = TestCertificates.CreateIntermediate(_chain.Root, "CN=Upper CA");
        using var lower = TestCertificates.CreateIntermediate(upper, "CN=Lower CA");
        using var leaf = TestCertificates.CreateLeaf(lower);
        var (cert, key) = WriteLeaf(leaf);
        var ca = _dir.Write("chain.pem", TestCertificates.Pem(upper, lower));

        var result = Check(Source(cert, key, ca, _chain.RootPath));

        Assert.False(result.HasErrors);
        Assert.Equal(
            "warning: The chain was given out of order ('CN=Upper CA', 'CN=Lower CA'); it is sent in order ('CN=Lower CA' → 'CN=Upper CA'). Fix the order in the files (each certificate followed by its issuer) so that servers which send files as given (nginx, Node) work too.",
            Single(result, CertificateFindingCodes.ChainReordered).ToString());
        Assert.Equal(["CN=Lower CA", "CN=Upper CA"], result.Bundle!.Intermediates.Select(c => c.Subject));
    }

    [Fact]
    public void CertificateOfAnotherChain_IsAWarning()
    {
        using var other = TestCertificates.CreateChain();
        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, other.IntermediatePath));

        Assert.Equal(
            $"warning: Certificate 'CN=Roost Test Intermediate CA' in '{other.IntermediatePath}' (option --ca) is not part of the chain of the server certificate 'CN=localhost' (issuer 'CN=Roost Test Intermediate CA'); it belongs to another chain and is not sent. Remove it, or check that the file is this certificate's chain.",
            Single(result, CertificateFindingCodes.UnrelatedCertificate).ToString());
    }

    [Fact]
    public void RootIncluded_IsANoteOnly()
    {
        var result = Check(Source(_chain.LeafPath, _chain.KeyPath, _chain.IntermediatePath, _chain.RootPath));

        Assert.Equal(
            $"ok: Root 'CN=Roost Test Root CA' in '{_chain.RootPath}' (option --ca) is not sent (clients use their own copy); giving it is fine and lets the chain be verified here.",
            Single(result, CertificateFindingCodes.RootIncluded).ToString());
        Assert.DoesNotContain(result.Bundle!.Intermediates, c => c.Subject == "CN=Roost Test Root CA");
    }

    [Fact]
    public void SelfSignedLeaf_IsAWarning()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateChainFactory.ServerAuthOid)], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var leaf = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var (cert, keyPath) = WriteLeaf(leaf);

        var result = Check(Source(cert, keyPath));

        Assert.False(result.HasErrors);
        Assert.Equal(
            $"warning: Certificate '{cert}' (option --cert) ({Describe(leaf)}) is self-signed: browsers and other clients will not trust it unless it is installed on each of them. Use a certificate from a CA (for local testing, 'roost cert dev' makes a chain with a root you can trust).",
            Single(result, CertificateFindingCodes.SelfSigned).ToString());
    }

    [Fact]
    public void ErrorsOfSeveralKinds_AreAllReported_AndThrowIfErrorsListsThem()
    {
        using var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, new GeneratedCertificateSpec { KeyKind = GeneratedKeyKind.Rsa, RsaKeySize = 1024, ExtendedKeyUsages = [CertificateChainFactory.ClientAuthOid] });
        var (cert, key) = WriteLeaf(leaf);

        var result = Check(Source(cert, key));

        Assert.Equal(
            [CertificateFindingCodes.WeakKey, CertificateFindingCodes.NoServerAuth, CertificateFindingCodes.IntermediateMissing],
            result.Errors.Select(f => f.Code));
        var ex = Assert.Throws<CertificateLoadException>(result.ThrowIfErrors);
        Assert.Equal(3, ex.Message.Split('\n').Length);
        Assert.Equal(3, ex.Findings.Count);
    }

    private static string Describe(X509Certificate2 certificate) => $"subject '{certificate.Subject}', serial {certificate.SerialNumber}";

    private static string Iso(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static CertificateFinding Single(CertificateCheckResult result, string code) => Assert.Single(result.Findings, f => f.Code == code);

    private static CertificateSource Source(string? cert, string? key, params string[] ca)
    {
        var source = new CertificateSource
        {
            Cert = cert is null ? null : TlsInput.FromFile(cert),
            Key = key is null ? null : TlsInput.FromFile(key),
            Names = TlsOptionNames.Cli,
        };
        foreach (var file in ca)
        {
            source.Ca.Add(TlsInput.FromFile(file));
        }

        return source;
    }

    private CertificateCheckResult Check(CertificateSource source, string? host = null, TimeProvider? clock = null)
    {
        var result = CertificateCheck.Run(source, new CertificateCheckOptions { Host = host, TimeProvider = clock ?? TimeProvider.System, UseSystemTrustStore = false });
        _results.Add(result);
        return result;
    }

    private (string Cert, string Key) WriteLeaf(X509Certificate2 leaf)
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        return (_dir.Write($"{name}.pem", TestCertificates.Pem(leaf)), _dir.Write($"{name}.key", TestCertificates.KeyPem(leaf)));
    }

    private string WriteEncryptedKey(string passphrase)
    {
        using var ec = _chain.Leaf.GetECDsaPrivateKey()!;
        var pem = ec.ExportEncryptedPkcs8PrivateKeyPem(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));
        return _dir.Write("encrypted.key", pem);
    }
}
