using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests;

/// <summary>
/// The chain a server sends in its handshake, seen by <c>openssl s_client -showcerts</c> and by a client that trusts
/// only the root: leaf + intermediates in chain order, never the root, however the chain was given.
/// </summary>
public sealed class CertificateChainTests
{
    /// <summary>Ways a user hands over the chain, as Node users do (<c>ca: [root, chain]</c>, bundles, fullchain files).</summary>
    public enum ChainShape
    {
        /// <summary>Ca = [intermediate].</summary>
        CaIntermediate,

        /// <summary>Ca = [root, intermediate]: root included and first, as in the seed's <c>ca: [rootca, chain]</c> when swapped.</summary>
        CaRootFirstThenIntermediate,

        /// <summary>Ca = [intermediate, root]: the seed's order.</summary>
        CaIntermediateThenRoot,

        /// <summary>Ca = one PEM file holding root then intermediate.</summary>
        CaOneFileRootAndIntermediate,

        /// <summary>Cert = one PEM file holding leaf then intermediate (a "fullchain" file); no Ca.</summary>
        CertFileWithChain,

        /// <summary>Cert = leaf + intermediate, and Ca repeats the intermediate and adds the root.</summary>
        CertFileWithChainAndCaDuplicates,

        /// <summary>Two intermediates given upper first, with the root: must be sent lower first.</summary>
        TwoIntermediatesWrongOrderWithRoot,
    }

    public static TheoryData<ChainShape> Shapes() => new(Enum.GetValues<ChainShape>());

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Handshake_ChainGivenAnyWay_SendsLeafAndIntermediatesInOrderButNotRoot(ChainShape shape)
    {
        using var chain = shape == ChainShape.TwoIntermediatesWrongOrderWithRoot
            ? TestCertificates.CreateChainWithTwoIntermediates()
            : TestCertificates.CreateChain();
        var options = Options(chain, shape);
        await using var server = await Http2.CreateSecureServer(options, (req, res) => res.End("verified")).ListenOnLoopbackAsync();

        var handshake = await OpenSsl.ShowCertsAsync(server.Port, chain.RootPath);

        Assert.Equal(
            [chain.Leaf.Thumbprint, .. chain.Intermediates.Select(c => c.Thumbprint)],
            handshake.PeerCertificates.Select(c => c.Thumbprint));
        Assert.DoesNotContain(chain.Root.Thumbprint, handshake.PeerCertificates.Select(c => c.Thumbprint));
        Assert.True(handshake.VerifyReturnCode == 0, $"openssl did not verify the chain against the root alone:\n{handshake.Output}");
        Assert.Equal(chain.Intermediates.Select(c => c.Thumbprint), server.Certificate!.Intermediates.Select(c => c.Thumbprint));
    }

    [Theory]
    [InlineData(ChainShape.CaIntermediate, false)]
    [InlineData(ChainShape.CaIntermediateThenRoot, true)]
    [InlineData(ChainShape.TwoIntermediatesWrongOrderWithRoot, true)]
    public async Task Handshake_ClientTrustingOnlyRoot_VerifiesServerOverH2AndHttp11(ChainShape shape, bool rootGiven)
    {
        using var chain = shape == ChainShape.TwoIntermediatesWrongOrderWithRoot
            ? TestCertificates.CreateChainWithTwoIntermediates()
            : TestCertificates.CreateChain();
        await using var server = await Http2.CreateSecureServer(Options(chain, shape, allowHttp1: true), (req, res) => res.End("verified")).ListenOnLoopbackAsync();
        using var h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        using var h1 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        using var overH2 = await h2.GetAsync(server.Url(), TestContext.Current.CancellationToken);
        using var overH1 = await h1.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal("verified", await overH2.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpVersion.Version20, overH2.Version);
        Assert.Equal("verified", await overH1.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(rootGiven ? chain.Root.Thumbprint : null, server.Certificate!.Root?.Thumbprint);
    }

    [Fact]
    public async Task Handshake_WithoutIntermediate_SendsLeafOnlyAndRootOnlyClientsFail()
    {
        // The control for the tests above: without the chain, the same clients must fail.
        using var chain = TestCertificates.CreateChain();
        await using var server = await Https.CreateServer(chain.LeafOnlyOptions(), (req, res) => res.End("unverifiable")).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        var handshake = await OpenSsl.ShowCertsAsync(server.Port, chain.RootPath);
        var error = await Record.ExceptionAsync(() => client.GetAsync(server.Url(), TestContext.Current.CancellationToken));

        Assert.Equal([chain.Leaf.Thumbprint], handshake.PeerCertificates.Select(c => c.Thumbprint));
        Assert.NotEqual(0, handshake.VerifyReturnCode);
        Assert.IsType<AuthenticationException>(Assert.IsType<HttpRequestException>(error).InnerException);
    }

    [Fact]
    public void CreateServer_ChainGivenOutOfOrder_ReportsReorderedAndKeepsRootAside()
    {
        using var chain = TestCertificates.CreateChainWithTwoIntermediates();

        using var bundle = CertificateLoader.Load(Options(chain, ChainShape.TwoIntermediatesWrongOrderWithRoot).Tls);

        Assert.True(bundle.ChainWasReordered);
        Assert.Equal(chain.Root.Thumbprint, bundle.Root?.Thumbprint);
        Assert.Empty(bundle.Unused);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handshake_RsaLeafFromPkcs1KeyOrPfx_ServesVerifiedChain(bool pfx)
    {
        using var chain = TestCertificates.CreateRsaChain();
        var options = chain.LeafOnlyOptions();
        if (pfx)
        {
            using var intermediate = X509CertificateLoader.LoadCertificate(chain.Intermediate.RawData);
            var bundle = new X509Certificate2Collection { chain.Leaf, intermediate }.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "pfx password");
            options.Cert = null;
            options.Key = null;
            options.Pfx = bundle;
            options.Passphrase = "pfx password";
        }
        else
        {
            options.Key = chain.Leaf.GetRSAPrivateKey()!.ExportRSAPrivateKeyPem();
            options.Ca.Add(TlsInput.FromFile(chain.IntermediatePath));
        }

        await using var server = await Https.CreateServer(options, (req, res) => res.End("rsa")).ListenOnLoopbackAsync();
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        var handshake = await OpenSsl.ShowCertsAsync(server.Port, chain.RootPath);
        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.Equal([chain.Leaf.Thumbprint, chain.Intermediate.Thumbprint], handshake.PeerCertificates.Select(c => c.Thumbprint));
        Assert.Equal(0, handshake.VerifyReturnCode);
        Assert.Equal("rsa", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static SecureServerOptions Options(TestChain chain, ChainShape shape, bool allowHttp1 = false)
    {
        var options = chain.LeafOnlyOptions(allowHttp1);
        var rootPem = File.ReadAllText(chain.RootPath);
        var intermediatePem = File.ReadAllText(chain.IntermediatePath);
        var leafPem = File.ReadAllText(chain.LeafPath);
        switch (shape)
        {
            case ChainShape.CaIntermediate:
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePath));
                break;
            case ChainShape.CaRootFirstThenIntermediate:
                options.Ca.Add(TlsInput.FromFile(chain.RootPath));
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePath));
                break;
            case ChainShape.CaIntermediateThenRoot:
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePath));
                options.Ca.Add(TlsInput.FromFile(chain.RootPath));
                break;
            case ChainShape.CaOneFileRootAndIntermediate:
                options.Ca.Add(TlsInput.FromFile(chain.Directory.Write("ca-bundle.pem", rootPem + intermediatePem)));
                break;
            case ChainShape.CertFileWithChain:
                options.Cert = TlsInput.FromFile(chain.Directory.Write("fullchain.pem", leafPem + intermediatePem));
                break;
            case ChainShape.CertFileWithChainAndCaDuplicates:
                options.Cert = TlsInput.FromFile(chain.Directory.Write("fullchain.pem", leafPem + intermediatePem));
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePath));
                options.Ca.Add(TlsInput.FromFile(chain.RootPath));
                break;
            case ChainShape.TwoIntermediatesWrongOrderWithRoot:
                options.Ca.Add(TlsInput.FromFile(chain.RootPath));
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePaths[1]));
                options.Ca.Add(TlsInput.FromFile(chain.IntermediatePaths[0]));
                break;
        }

        return options;
    }
}
