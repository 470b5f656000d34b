using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Roost.Acme;

/// <summary>
/// Answers TLS-ALPN-01 challenges on the serving port while nothing else serves it: at first start, when no
/// certificate exists yet and the workers (or the single process's server) have not started. It binds the serving
/// port in the process that talks to the CA, completes <c>acme-tls/1</c> handshakes with the challenge certificate of
/// <see cref="TlsAlpnChallenges"/> and closes every connection after the handshake; any other client fails its
/// handshake (nothing is served before the certificate exists). Disposed once the certificate is installed, before the
/// servers bind the port; later challenges (renewals) are answered by the servers themselves.
/// </summary>
internal sealed class TlsAlpnResponder : AcmeResponder
{
    /// <summary>A connection that has not finished its handshake in this time is closed.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private TlsAlpnResponder(Socket socket, ILogger logger)
        : base(socket, logger)
    {
    }

    /// <summary>Binds <paramref name="endPoint"/> and starts answering.</summary>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public static TlsAlpnResponder Start(IPEndPoint endPoint, ILogger logger)
    {
        var responder = new TlsAlpnResponder(Bind(endPoint), logger);
        responder.StartAccepting();
        return responder;
    }

    private protected override void OnAccepted(Socket client) => _ = HandleAsync(client);

    // A connection reset before it was accepted (ECONNABORTED) and the like: keep listening.
    private protected override void OnAcceptFailed(SocketException exception) => AcmeLog.TlsAlpnAcceptFailed(Logger, exception.Message);

    private async Task HandleAsync(Socket client)
    {
        var remote = client.RemoteEndPoint?.ToString() ?? "client";
        var stream = new SslStream(new NetworkStream(client, ownsSocket: true));
        await using (stream.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
            timeout.CancelAfter(HandshakeTimeout);
            try
            {
                await stream.AuthenticateAsServerAsync(
                    static (_, hello, _, _) => ValueTask.FromResult(TlsAlpnChallenges.OptionsFor(hello.ServerName)),
                    null,
                    timeout.Token).ConfigureAwait(false);
                AcmeLog.TlsAlpnChallengeAnswered(Logger, remote);
            }
            catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException or SocketException)
            {
                // Not a CA validating a pending challenge (a browser before the certificate exists, a scanner): refused.
                AcmeLog.TlsAlpnHandshakeRefused(Logger, remote, ex.Message);
            }
        }
    }
}
