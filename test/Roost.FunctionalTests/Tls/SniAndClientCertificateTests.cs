using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>
/// SNI (several certificates on one port: exact, wildcard, default, refusal of unknown names) and client certificates
/// (off/allow/require, custom CA, clientAuth usage enforced, certificate visible to the handler), with HttpClient,
/// curl and openssl s_client.
/// </summary>
public sealed class SniAndClientCertificateTests : IAsyncLifetime
{
    private readonly TestChain _chain = TestCertificates.CreateChain();
    private readonly List<IDisposable> _disposables = [];
    private HttpServer? _server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _chain.Dispose();
    }

    [Theory]
    [InlineData("api.example.test", "CN=api.example.test")]
    [InlineData("API.Example.Test", "CN=api.example.test")]
    [InlineData("one.apps.example.test", "CN=apps wildcard")]
    [InlineData("deep.one.apps.example.test", "CN=localhost")]
    [InlineData("unknown.test", "CN=localhost")]
    [InlineData("localhost", "CN=localhost")]
    [InlineData("127.0.0.1", "CN=localhost")]
    public async Task Sni_ChoosesExactThenWildcardThenDefault(string serverName, string expectedSubject)
    {
        var options = SniOptions(UnknownServerNameAction.UseDefault);
        await StartAsync(options);

        using var served = await TlsProbe.GetServerCertificateAsync(_server!.Port, serverName, Token);

        Assert.Equal(expectedSubject, served.Subject);
    }

    [Fact]
    public async Task Sni_RefuseUnknown_RefusesOnlyUnknownNames()
    {
        await StartAsync(SniOptions(UnknownServerNameAction.Refuse));

        await Assert.ThrowsAnyAsync<Exception>(() => TlsProbe.GetServerCertificateAsync(_server!.Port, "unknown.test", Token));

        // The default certificate's own names and clients without SNI still get it; the others are unaffected.
        using var byName = await TlsProbe.GetServerCertificateAsync(_server!.Port, "localhost", Token);
        Assert.Equal("CN=localhost", byName.Subject);
        using var api = await TlsProbe.GetServerCertificateAsync(_server.Port, "api.example.test", Token);
        Assert.Equal("CN=api.example.test", api.Subject);
    }

    [Fact]
    public async Task Sni_Curl_VerifiesEachNameAgainstTheRoot()
    {
        var curl = ExternalTool.Require("curl", "curl");
        await StartAsync(SniOptions(UnknownServerNameAction.UseDefault));
        var port = _server!.Port.ToString(CultureInfo.InvariantCulture);

        foreach (var host in new[] { "api.example.test", "x.apps.example.test", "localhost" })
        {
            var (code, output) = await TestProcess.RunAsync(curl, ["-sS", "--http2", "--cacert", _chain.RootPath, "--resolve", $"{host}:{port}:127.0.0.1", $"https://{host}:{port}/"], TimeSpan.FromSeconds(30));
            Assert.True(code == 0, $"curl {host}: exit {code}\n{output}");
            Assert.Contains("none", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClientCertificate_Require_AcceptsValidClient_AndShowsItToTheHandler()
    {
        var (clientCa, client) = CreateClientPki([CertificateChainFactory.ClientAuthOid]);
        await StartAsync(ClientOptions(ClientCertificateMode.Require, clientCa));
        using var http = TestClients.TrustingOnly(_chain.Root, clientCertificate: client);

        var body = await http.GetStringAsync($"https://localhost:{_server!.Port}/", Token);

        Assert.Equal("CN=client one", body);
    }

    [Fact]
    public async Task ClientCertificate_Require_RejectsMissingWrongUsageAndForeignCa_WithoutAffectingOthers()
    {
        var (clientCa, client) = CreateClientPki([CertificateChainFactory.ClientAuthOid]);
        var (_, serverAuthOnly) = CreateClientPki([CertificateChainFactory.ServerAuthOid], clientCa);
        var (_, foreign) = CreateClientPki([CertificateChainFactory.ClientAuthOid]);
        await StartAsync(ClientOptions(ClientCertificateMode.Require, clientCa));
        var url = $"https://localhost:{_server!.Port}/";

        foreach (var bad in new X509Certificate2?[] { null, serverAuthOnly, foreign })
        {
            using var http = TestClients.TrustingOnly(_chain.Root, clientCertificate: bad);
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(url, Token));
        }

        using var good = TestClients.TrustingOnly(_chain.Root, clientCertificate: client);
        Assert.Equal("CN=client one", await good.GetStringAsync(url, Token));
    }

    [Fact]
    public async Task ClientCertificate_Allow_ServesClientsWithAndWithout()
    {
        var (clientCa, client) = CreateClientPki([CertificateChainFactory.ClientAuthOid]);
        await StartAsync(ClientOptions(ClientCertificateMode.Allow, clientCa));
        var url = $"https://localhost:{_server!.Port}/";
        using var anonymous = TestClients.TrustingOnly(_chain.Root);
        using var identified = TestClients.TrustingOnly(_chain.Root, clientCertificate: client);

        Assert.Equal("none", await anonymous.GetStringAsync(url, Token));
        Assert.Equal("CN=client one", await identified.GetStringAsync(url, Token));
    }

    [Fact]
    public async Task ClientCertificate_OpenSslAndCurl_WithAndWithoutCertificate()
    {
        var curl = ExternalTool.Require("curl", "curl");
        var (clientCa, client) = CreateClientPki([CertificateChainFactory.ClientAuthOid]);
        var (_, serverAuthOnly) = CreateClientPki([CertificateChainFactory.ServerAuthOid], clientCa);
        await StartAsync(ClientOptions(ClientCertificateMode.Require, clientCa));
        var certPath = _chain.Directory.Write("client.pem", TestCertificates.Pem(client));
        var keyPath = _chain.Directory.Write("client.key", TestCertificates.KeyPem(client));
        var wrongUsagePath = _chain.Directory.Write("server-auth-only.pem", TestCertificates.Pem(serverAuthOnly));
        var wrongUsageKeyPath = _chain.Directory.Write("server-auth-only.key", TestCertificates.KeyPem(serverAuthOnly));
        var url = $"https://localhost:{_server!.Port}/";

        var (withCode, withOutput) = await TestProcess.RunAsync(curl, ["-sS", "--cacert", _chain.RootPath, "--cert", certPath, "--key", keyPath, url], TimeSpan.FromSeconds(30));
        var (withoutCode, withoutOutput) = await TestProcess.RunAsync(curl, ["-sS", "--cacert", _chain.RootPath, url], TimeSpan.FromSeconds(30));
        // curl sends whatever certificate it is given: the server itself must refuse the one without clientAuth.
        var (wrongUsageCode, wrongUsageOutput) = await TestProcess.RunAsync(curl, ["-sS", "--cacert", _chain.RootPath, "--cert", wrongUsagePath, "--key", wrongUsageKeyPath, url], TimeSpan.FromSeconds(30));
        var (sslCode, sslOutput) = await OpenSsl.ConnectAsync(_server.Port, "-cert", certPath, "-key", keyPath, "-CAfile", _chain.RootPath);

        Assert.True(withCode == 0, withOutput);
        Assert.Contains("CN=client one", withOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, withoutCode);
        Assert.True(wrongUsageCode != 0, $"curl with a serverAuth-only client certificate succeeded: {wrongUsageOutput}");
        Assert.DoesNotContain("CN=client one", wrongUsageOutput, StringComparison.Ordinal);
        Assert.Equal(0, sslCode);
        Assert.Contains("Verify return code: 0 (ok)", sslOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientCertificate_RequireWithoutAuthorities_IsAConfigurationError()
    {
        var options = _chain.ServerOptions();
        options.ClientCertificateMode = ClientCertificateMode.Require;

        var ex = Assert.Throws<CertificateLoadException>(() => Http2.CreateSecureServer(options, (_, res) => res.End()));

        Assert.Equal(
            "ClientCertificateMode is Require, but ClientCertificateAuthorities is empty. Add the CA certificate(s) that issue your clients' certificates (option --client-ca), or set the mode to Off.",
            ex.Message);
    }

    private SecureServerOptions SniOptions(UnknownServerNameAction unknown)
    {
        var options = _chain.ServerOptions(allowHttp1: true);
        options.UnknownServerName = unknown;
        options.SniCertificates["api.example.test"] = WriteSource("api", new GeneratedCertificateSpec { Subject = "CN=api.example.test", DnsNames = ["api.example.test"], IpAddresses = [] });
        options.SniCertificates["*.apps.example.test"] = WriteSource("apps", new GeneratedCertificateSpec { Subject = "CN=apps wildcard", DnsNames = ["*.apps.example.test"], IpAddresses = [] });
        return options;
    }

    private CertificateSource WriteSource(string name, GeneratedCertificateSpec spec)
    {
        var leaf = TestCertificates.CreateLeaf(_chain.Intermediate, spec);
        _disposables.Add(leaf);
        return CertificateSource.FromPemFiles(
            _chain.Directory.Write($"{name}.pem", TestCertificates.Pem(leaf)),
            _chain.Directory.Write($"{name}.key", TestCertificates.KeyPem(leaf)),
            _chain.IntermediatePath,
            _chain.RootPath);
    }

    private SecureServerOptions ClientOptions(ClientCertificateMode mode, string clientCaPath)
    {
        var options = _chain.ServerOptions(allowHttp1: true);
        options.ClientCertificateMode = mode;
        options.ClientCertificateAuthorities.Add(TlsInput.FromFile(clientCaPath));
        return options;
    }

    /// <summary>A client CA (root + intermediate, written to one file) and a client certificate with the given usages.</summary>
    private (string CaPath, X509Certificate2 Client) CreateClientPki(string[] usages, string? existingCaPath = null)
    {
        var (root, intermediate, client) = CertificateChainFactory.CreateChain(
            new GeneratedCertificateSpec { Subject = "CN=client one", DnsNames = [], IpAddresses = [], ExtendedKeyUsages = usages },
            name: "Client " + Guid.NewGuid().ToString("N")[..6]);
        _disposables.Add(root);
        _disposables.Add(client);
        if (existingCaPath is not null)
        {
            // Same CA as an earlier call: re-issue the client under it.
            var pem = File.ReadAllText(existingCaPath);
            var existingIntermediate = X509Certificate2.CreateFromPem(pem);
            var existingKey = File.ReadAllText(existingCaPath + ".key");
            using var issuer = X509Certificate2.CreateFromPem(pem, existingKey);
            var reissued = CertificateChainFactory.CreateSigned(issuer, new GeneratedCertificateSpec { Subject = "CN=client one", DnsNames = [], IpAddresses = [], ExtendedKeyUsages = usages });
            _disposables.Add(reissued);
            _disposables.Add(existingIntermediate);
            return (existingCaPath, reissued);
        }

        var caPath = _chain.Directory.Write($"client-ca-{Guid.NewGuid():N}.pem", TestCertificates.Pem(intermediate, root));
        File.WriteAllText(caPath + ".key", TestCertificates.KeyPem(intermediate));
        intermediate.Dispose();
        return (caPath, client);
    }

    private async Task StartAsync(SecureServerOptions options)
    {
        options.HandleShutdownSignals = false;
        options.WatchCertificateFiles = false;
        _server = Http2.CreateSecureServer(options, (req, res) => res.End(req.ClientCertificate?.Subject ?? "none"));
        await _server.ListenAsync(0, "127.0.0.1", Token);
    }
}
