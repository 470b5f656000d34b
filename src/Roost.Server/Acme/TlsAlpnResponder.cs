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
internal sealed class TlsAlpnResponder : IAsyncDisposable
{
    /// <summary>A connection that has not finished its handshake in this time is closed.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private TlsAlpnResponder(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
    }

    /// <summary>The bound address.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds <paramref name="endPoint"/> and starts answering.</summary>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    public static TlsAlpnResponder Start(IPEndPoint endPoint, ILogger logger)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var responder = new TlsAlpnResponder(socket, logger);
        responder._loop = Task.Run(responder.AcceptLoopAsync);
        return responder;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset before it was accepted (ECONNABORTED) and the like: keep listening.
                AcmeLog.TlsAlpnAcceptFailed(_logger, ex.Message);
                continue;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var remote = client.RemoteEndPoint?.ToString() ?? "client";
        var stream = new SslStream(new NetworkStream(client, ownsSocket: true));
        await using (stream.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(HandshakeTimeout);
            try
            {
                await stream.AuthenticateAsServerAsync(
                    static (_, hello, _, _) => ValueTask.FromResult(TlsAlpnChallenges.OptionsFor(hello.ServerName)),
                    null,
                    timeout.Token).ConfigureAwait(false);
                AcmeLog.TlsAlpnChallengeAnswered(_logger, remote);
            }
            catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException or SocketException)
            {
                // Not a CA validating a pending challenge (a browser before the certificate exists, a scanner): refused.
                AcmeLog.TlsAlpnHandshakeRefused(_logger, remote, ex.Message);
            }
        }
    }
}
