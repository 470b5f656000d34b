using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Roost.Acme;

namespace Roost.Server.Tests.Acme;

/// <summary>
/// <see cref="TlsAlpnChallenges"/>: the TLS-ALPN-01 certificate (RFC 8737 §3) and a real loopback handshake that
/// offers acme-tls/1, as a CA's validation does.
/// </summary>
public sealed class TlsAlpnChallengesTests
{
    // Verifies: the challenge certificate names the one DNS name and carries id-pe-acmeIdentifier, critical, whose value
    // is the DER OCTET STRING of the key authorization's SHA-256.
    [Fact]
    public void CreateCertificate_HasOneDnsNameAndCriticalAcmeIdentifier()
    {
        var digest = TlsAlpnChallenges.Digest("token.thumbprint");
        using var certificate = TlsAlpnChallenges.CreateCertificate("alpn.roost.test", digest);

        Assert.Equal(["alpn.roost.test"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        var identifier = certificate.Extensions[TlsAlpnChallenges.AcmeIdentifierOid];
        Assert.NotNull(identifier);
        Assert.True(identifier.Critical);
        Assert.Equal([0x04, 0x20, .. digest], identifier.RawData);
        Assert.Equal(32, digest.Length);
    }

    // Verifies: a client offering acme-tls/1 for a name with a pending challenge completes the handshake with that
    // protocol and the challenge certificate; after Remove, or for another name, the handshake is refused.
    [Fact]
    public async Task Handshake_PendingName_GetsChallengeCertificate_OtherwiseRefused()
    {
        var digest = TlsAlpnChallenges.Digest("abc.def");
        TlsAlpnChallenges.Set("pending.roost.test", digest);
        try
        {
            var (protocol, certificate) = await HandshakeAsync("pending.roost.test");
            using (certificate)
            {
                Assert.Equal("acme-tls/1", protocol);
                Assert.Equal([0x04, 0x20, .. digest], certificate!.Extensions[TlsAlpnChallenges.AcmeIdentifierOid]!.RawData);
            }

            await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync("other.roost.test"));
        }
        finally
        {
            TlsAlpnChallenges.Remove("pending.roost.test");
        }

        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync("pending.roost.test"));
    }

    private static async Task<(string Protocol, X509Certificate2? Certificate)> HandshakeAsync(string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        using var accepted = await listener.AcceptTcpClientAsync(timeout.Token);
        await using var server = new SslStream(accepted.GetStream());
        await using var ssl = new SslStream(client.GetStream());
        var serverSide = server.AuthenticateAsServerAsync(static (_, hello, _, _) => ValueTask.FromResult(TlsAlpnChallenges.OptionsFor(hello.ServerName)), null, timeout.Token);
        var clientSide = ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = name,
                ApplicationProtocols = [new SslApplicationProtocol("acme-tls/1")],
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            },
            timeout.Token);
        try
        {
            await serverSide;
        }
        catch (AuthenticationException)
        {
            accepted.Close();
            await clientSide;
            throw;
        }

        await clientSide;
        return (ssl.NegotiatedApplicationProtocol.ToString(), ssl.RemoteCertificate is { } remote ? X509CertificateLoader.LoadCertificate(remote.GetRawCertData()) : null);
    }
}
