using Roost.Cli.Commands;
using Roost.Tls;

namespace Roost.Cli.Tests;

/// <summary>Parsing of the TLS serving flags of <c>roost serve</c>: policy, SNI, client certificates, reload, OCSP.</summary>
public sealed class ServeTlsFlagsTests
{
    [Fact]
    public void Defaults_AreIntermediatePolicy_NoClientCertificates_WatchAndOcspOn()
    {
        var parse = Program.BuildCommand().Parse(["serve"]);
        var tls = new TlsSettings(null, null, [], null, null);

        Assert.Empty(parse.Errors);
        Assert.Equal(TlsPolicy.Intermediate, tls.Policy);
        Assert.Equal(ClientCertificateMode.Off, tls.ClientCertificateMode);
        Assert.True(tls.Watch);
        Assert.True(tls.OcspStapling);
    }

    [Fact]
    public void ServingFlags_Parse()
    {
        var parse = Program.BuildCommand().Parse([
            "serve", "--tls-policy", "modern", "--sni", "api.example.test=a.pem,a.key,chain.pem", "--unknown-sni", "refuse",
            "--client-cert", "require", "--client-ca", "clients.pem", "--no-watch", "--no-ocsp"]);

        Assert.Empty(parse.Errors);
    }

    [Theory]
    [InlineData("--tls-policy", "old")]
    [InlineData("--client-cert", "maybe")]
    [InlineData("--unknown-sni", "ignore")]
    public void InvalidChoices_AreUsageErrors(string flag, string value)
    {
        var parse = Program.BuildCommand().Parse(["serve", flag, value]);

        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void Sni_ParsesHostCertKeyAndChain_AndNamesTheFlagInMessages()
    {
        var (host, source) = TlsSettings.ParseSni("*.example.test=w.pem,w.key,chain.pem,root.pem");

        Assert.Equal("*.example.test", host);
        Assert.Equal("w.pem", source.Cert!.Path);
        Assert.Equal("w.key", source.Key!.Path);
        Assert.Equal(["chain.pem", "root.pem"], source.Ca.Select(c => c.Path));
        Assert.Equal("--sni *.example.test (certificate)", source.Names.Cert);
    }

    [Fact]
    public void Sni_WithoutKey_IsRejectedWithTheExpectedForm()
    {
        var ex = Assert.Throws<ArgumentException>(() => TlsSettings.ParseSni("api.example.test=only-cert.pem"));

        Assert.StartsWith("Option --sni 'api.example.test=only-cert.pem' is not HOST=CERT,KEY[,CA...].", ex.Message, StringComparison.Ordinal);
    }
}
