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

    /// <summary>
    /// A TLS 1.3 session ticket from one connection resumes the next, under every policy: TLS 1.3 clients are served
    /// from one OpenSSL context per certificate (which holds the ticket key) instead of one built per handshake, which
    /// .NET on Linux does whenever a <c>CipherSuitesPolicy</c> is set (a policy narrows TLS 1.2 only; every TLS 1.3
    /// suite is AEAD with forward secrecy).
    /// </summary>
    [Theory]
    [InlineData(TlsPolicy.Intermediate)]
    [InlineData(TlsPolicy.Modern)]
    [InlineData(TlsPolicy.Compatible)]
    public async Task Policy_ResumesTls13Sessions(TlsPolicy policy)
    {
        var openssl = OpenSsl.Require();
        using var chain = TestCertificates.CreateChain();
        var options = chain.ServerOptions(allowHttp1: true);
        options.TlsPolicy = policy;
        await using var server = Https.CreateServer(options, (_, res) => res.End("ok"));
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var temp = new TempDirectory();
        var session = temp.File("session.pem");

        // stdin stays open for a second so s_client reads the ticket the server sends after the handshake.
        async Task<string> ConnectAsync(string sessionOption)
        {
            var (code, output) = await TestProcess.RunAsync(
                "sh",
                ["-c", "sleep 1 | exec \"$0\" \"$@\"", openssl, "s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-tls1_3", sessionOption, session],
                TimeSpan.FromSeconds(30));
            Assert.True(code == 0, $"openssl s_client {sessionOption}: exit {code}\n{output}");
            return output;
        }

        Assert.Contains("New, TLSv1.3", await ConnectAsync("-sess_out"), StringComparison.Ordinal);
        Assert.True(File.Exists(session), "s_client wrote no session (no ticket received)");
        var second = await ConnectAsync("-sess_in");
        Assert.True(second.Contains("Reused, TLSv1.3", StringComparison.Ordinal), $"second connection did not resume:\n{second}");
    }

    /// <summary>
    /// TLS 1.2 sessions resume too (issue 15: before, TLS 1.2 clients got a new OpenSSL context per handshake and none
    /// resumed), and the resumed connection keeps the policy's suite (the kept context carries the policy's TLS 1.2 list).
    /// </summary>
    [Theory]
    [InlineData(TlsPolicy.Intermediate, "ECDHE-RSA-AES128-GCM-SHA256")]
    [InlineData(TlsPolicy.Compatible, "ECDHE-RSA-AES128-SHA256")]
    public async Task Policy_ResumesTls12Sessions(TlsPolicy policy, string cipher)
    {
        var openssl = OpenSsl.Require();
        using var chain = TestCertificates.CreateChain(new GeneratedCertificateSpec { KeyKind = GeneratedKeyKind.Rsa, RsaKeySize = 2048 });
        var options = chain.ServerOptions(allowHttp1: true);
        options.TlsPolicy = policy;
        await using var server = Https.CreateServer(options, (_, res) => res.End("ok"));
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);

        var (code, output) = await TestProcess.RunAsync(
            "sh",
            ["-c", "sleep 1 | exec \"$0\" \"$@\"", openssl, "s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_2", "-cipher", cipher, "-reconnect"],
            TimeSpan.FromSeconds(30));

        Assert.True(code == 0, $"openssl s_client -reconnect: exit {code}\n{output}");
        var reused = output.Split('\n').Count(l => l.StartsWith($"Reused, TLSv1.2, Cipher is {cipher}", StringComparison.Ordinal));
        Assert.True(reused == 5, $"{reused} of 5 reconnects resumed:\n{output}");
    }

    /// <summary>
    /// The runtime is what Roost's session set-up expects (docs/tls.md, "Session resumption"): every certificate's
    /// OpenSSL contexts are reached and set up. Fails when an SDK update changes .NET's internals and Roost falls back
    /// to per-process ticket keys (the one warning, event 1150), so the change is seen at once.
    /// </summary>
    [Fact]
    public async Task SessionSetUp_OnThisRuntime_ReachesOpenSslContexts()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "SslStream uses OpenSSL only on Linux.");
        using var chain = TestCertificates.CreateChain();
        using var logs = new CapturingLoggerProvider();
        using var loggers = logs.CreateFactory();
        var options = chain.ServerOptions(allowHttp1: true);
        options.LoggerFactory = loggers;
        await using var server = Http2.CreateSecureServer(options, (_, res) => res.End("ok"));
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);

        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == 1150);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1151);
    }
}
