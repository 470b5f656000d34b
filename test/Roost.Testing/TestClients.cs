using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Testing;

/// <summary>HttpClients that trust only a given root (a custom trust store, as a client of a private CA would).</summary>
public static class TestClients
{
    public static HttpClient TrustingOnly(X509Certificate2 root, Version? version = null, HttpVersionPolicy policy = HttpVersionPolicy.RequestVersionExact,
        X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { root },
                    RevocationMode = X509RevocationMode.NoCheck,

                    // Only the root is trusted: intermediates must come from the server's handshake.
                    DisableCertificateDownloads = true,
                },
            },
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler)
        {
            DefaultRequestVersion = version ?? HttpVersion.Version20,
            DefaultVersionPolicy = policy,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>A cleartext client; with HTTP/2 it speaks prior-knowledge h2c.</summary>
    public static HttpClient Cleartext(Version? version = null) => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = version ?? HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
