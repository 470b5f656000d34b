using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Testing;

/// <summary>One TLS handshake to see which certificate a server presents (no HTTP, any certificate accepted).</summary>
public static class TlsProbe
{
    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>, sends <paramref name="serverName"/> as SNI and returns the server's leaf.</summary>
    public static async Task<X509Certificate2> GetServerCertificateAsync(int port, string serverName = "localhost", CancellationToken cancellationToken = default,
        X509Certificate2? clientCertificate = null, SslProtocols protocols = SslProtocols.None)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            EnabledSslProtocols = protocols,
        };
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
        }

        await ssl.AuthenticateAsClientAsync(options, cancellationToken);
        return X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate!.GetRawCertData());
    }

    /// <summary>Polls until the served certificate has <paramref name="serialNumber"/>; returns how long it took.</summary>
    public static async Task<TimeSpan> WaitForSerialAsync(int port, string serialNumber, TimeSpan timeout, string serverName = "localhost")
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        string last = "(none)";
        while (started.Elapsed < timeout)
        {
            using var certificate = await GetServerCertificateAsync(port, serverName);
            last = certificate.SerialNumber;
            if (last == serialNumber)
            {
                return started.Elapsed;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"The server on port {port} still presents serial {last} {timeout} after the swap; expected {serialNumber}.");
    }
}
