using System.Globalization;
using System.Net.Http;
using System.Net.Security;
using System.Text;

namespace Roost.Testing;

/// <summary>
/// A real ACME CA on loopback for tests: Debian's <c>pebble</c>, with <c>pebble-challtestsrv</c> as its DNS server
/// (every name resolves to 127.0.0.1 unless <see cref="AddARecordAsync"/> says otherwise). Pebble's HTTP-01 checks
/// go to <see cref="HttpChallengePort"/> (give it to roost as --acme-http-port), its TLS-ALPN-01 checks to
/// <see cref="TlsChallengePort"/> (roost's --port). Its own HTTPS certificate is a
/// test chain whose root is <see cref="TrustPath"/> (roost's --acme-ca-cert). Both processes are killed on dispose.
/// </summary>
/// <remarks>PEBBLE_VA_NOSLEEP=1 removes pebble's random validation delays; PEBBLE_WFE_NONCEREJECT=0 its random badNonce answers (the client's badNonce retry is exercised separately).</remarks>
public sealed class PebbleServer : IAsyncDisposable
{
    private readonly TestChain _tls;
    private readonly TestProcess _dns;
    private readonly TestProcess _pebble;
    private readonly int _dnsManagementPort;

    private PebbleServer(TestChain tls, TestProcess dns, TestProcess pebble, int port, int managementPort, int dnsManagementPort, int httpChallengePort, int tlsChallengePort)
    {
        TlsChallengePort = tlsChallengePort;
        _tls = tls;
        _dns = dns;
        _pebble = pebble;
        _dnsManagementPort = dnsManagementPort;
        DirectoryUrl = $"https://127.0.0.1:{port}/dir";
        ManagementUrl = $"https://127.0.0.1:{managementPort}";
        HttpChallengePort = httpChallengePort;
    }

    /// <summary>The ACME directory URL (roost's --acme-ca).</summary>
    public string DirectoryUrl { get; }

    /// <summary>Pebble's management interface (roots and intermediates of the certificates it issues).</summary>
    public string ManagementUrl { get; }

    /// <summary>The port pebble connects to for HTTP-01 (roost's --acme-http-port).</summary>
    public int HttpChallengePort { get; }

    /// <summary>The port pebble connects to for TLS-ALPN-01 (roost's --port when the test uses that challenge).</summary>
    public int TlsChallengePort { get; }

    /// <summary>The root of pebble's own HTTPS certificate (roost's --acme-ca-cert).</summary>
    public string TrustPath => _tls.RootPath;

    /// <summary>Pebble's log so far.</summary>
    public string Output => _pebble.Output;

    /// <summary>Starts challtestsrv and pebble; <paramref name="validitySeconds"/> sets the lifetime of issued certificates (pebble's default: 5 years).</summary>
    public static async Task<PebbleServer> StartAsync(int? validitySeconds = null)
    {
        var pebble = ExternalTool.Require("pebble", "pebble");
        var challtestsrv = ExternalTool.Require("pebble-challtestsrv", "pebble");
        var tls = TestCertificates.CreateChain();
        var (port, managementPort, dnsPort, dnsManagementPort, httpPort, tlsPort) = (FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get());
        var certificate = tls.Directory.Write("pebble-cert.pem", TestCertificates.Pem(tls.Leaf, tls.Intermediate));
        var key = tls.Directory.Write("pebble-key.pem", TestCertificates.KeyPem(tls.Leaf));
        var validity = validitySeconds is { } seconds ? $", \"certificateValidityPeriod\": {seconds.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        var config = tls.Directory.Write("pebble-config.json", $$"""
            {"pebble": {"listenAddress": "127.0.0.1:{{port}}", "managementListenAddress": "127.0.0.1:{{managementPort}}",
             "certificate": "{{certificate}}", "privateKey": "{{key}}", "httpPort": {{httpPort}}, "tlsPort": {{tlsPort}},
             "ocspResponderURL": "", "externalAccountBindingRequired": false{{validity}}
            """ + "}}");

        // AAAA answers off: every name is 127.0.0.1 only, so pebble never tries ::1 first.
        var dns = TestProcess.Start(challtestsrv,
            ["-dns01", $"127.0.0.1:{dnsPort}", "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", $"127.0.0.1:{dnsManagementPort}", "-defaultIPv6", ""],
            name: "challtestsrv");
        var ca = TestProcess.Start(pebble, ["-config", config, "-dnsserver", $"127.0.0.1:{dnsPort}"],
            environment: new Dictionary<string, string?> { ["PEBBLE_VA_NOSLEEP"] = "1", ["PEBBLE_WFE_NONCEREJECT"] = "0", ["PEBBLE_AUTHZREUSE"] = "0" },
            name: "pebble");
        var server = new PebbleServer(tls, dns, ca, port, managementPort, dnsManagementPort, httpPort, tlsPort);
        try
        {
            await dns.WaitForLineAsync("Starting management server", TimeSpan.FromSeconds(20));
            await ca.WaitForLineAsync("ACME directory available", TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes <paramref name="host"/> resolve to <paramref name="address"/> for pebble's validation.</summary>
    public async Task AddARecordAsync(string host, string address)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var content = new StringContent($$"""{"host":"{{host}}","addresses":["{{address}}"]}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{_dnsManagementPort}/add-a"), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The root and intermediate of the certificates pebble issues (PEM), to trust them in a client.</summary>
    public async Task<string> GetIssuingChainPemAsync()
    {
        using var handler = new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true } };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var root = await client.GetStringAsync(new Uri(ManagementUrl + "/roots/0"));
        var intermediate = await client.GetStringAsync(new Uri(ManagementUrl + "/intermediates/0"));
        return root + intermediate;
    }

    public async ValueTask DisposeAsync()
    {
        await _pebble.DisposeAsync();
        await _dns.DisposeAsync();
        _tls.Dispose();
    }
}
