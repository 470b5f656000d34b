using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>
/// What each <see cref="TlsPolicy"/> lets a client negotiate, tried with <c>openssl s_client</c> against a server with
/// an RSA certificate (so that RSA key exchange and ECDHE-RSA suites could be offered at all).
/// </summary>
public sealed class TlsPolicyTests
{
    [Theory]
    [InlineData(TlsPolicy.Intermediate, "-tls1_3", null, true)]
    [InlineData(TlsPolicy.Intermediate, "-tls1_2", "ECDHE-RSA-AES128-GCM-SHA256", true)]
    [InlineData(TlsPolicy.Intermediate, "-tls1_2", "ECDHE-RSA-CHACHA20-POLY1305", true)]
    [InlineData(TlsPolicy.Intermediate, "-tls1_2", "ECDHE-RSA-AES128-SHA256", false)]
    [InlineData(TlsPolicy.Intermediate, "-tls1_2", "ECDHE-RSA-AES256-SHA", false)]
    [InlineData(TlsPolicy.Intermediate, "-tls1_2", "AES128-GCM-SHA256", false)]
    [InlineData(TlsPolicy.Intermediate, "-tls1_1", null, false)]
    [InlineData(TlsPolicy.Modern, "-tls1_3", null, true)]
    [InlineData(TlsPolicy.Modern, "-tls1_2", "ECDHE-RSA-AES128-GCM-SHA256", false)]
    [InlineData(TlsPolicy.Compatible, "-tls1_2", "ECDHE-RSA-AES128-SHA256", true)]
    [InlineData(TlsPolicy.Compatible, "-tls1_2", "AES128-GCM-SHA256", true)]
    [InlineData(TlsPolicy.Compatible, "-tls1_1", null, false)]
    public async Task Policy_AllowsOnlyItsProtocolsAndSuites(TlsPolicy policy, string protocol, string? cipher, bool expected)
    {
        OpenSsl.Require();
        using var chain = TestCertificates.CreateChain(new GeneratedCertificateSpec { KeyKind = GeneratedKeyKind.Rsa, RsaKeySize = 2048 });
        var options = chain.ServerOptions(allowHttp1: true);
        options.TlsPolicy = policy;
        await using var server = Http2.CreateSecureServer(options, (_, res) => res.End("ok"));
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);

        string[] arguments = cipher is null ? [protocol] : [protocol, "-cipher", cipher];
        var (code, output) = await OpenSsl.ConnectAsync(server.Port, arguments);

        Assert.True(expected == (code == 0), $"{policy} {protocol} {cipher}: openssl exit {code}\n{output}");
        if (expected && cipher is not null)
        {
            Assert.Contains($"Cipher is {cipher}", output, StringComparison.Ordinal);
        }
    }
}
