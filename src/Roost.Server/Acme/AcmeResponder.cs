using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Roost.Acme;

/// <summary>
/// What the two challenge listeners of the process that talks to the CA share (<see cref="Http01Responder"/>,
/// <see cref="TlsAlpnResponder"/>): a socket bound at start, an accept loop that survives a connection reset before
/// accept, and a stop that waits for the loop. Each subclass answers the connections it accepts.
/// </summary>
internal abstract class AcmeResponder : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private protected AcmeResponder(Socket socket, ILogger logger)
    {
        _socket = socket;
        Logger = logger;
    }

    /// <summary>The bound address (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Gets the logger the responder writes to.</summary>
    protected ILogger Logger { get; }

    /// <summary>Gets the token that fires when the responder is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

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

    /// <summary>Binds and listens on <paramref name="endPoint"/> (dual-stack for [::], SO_REUSEADDR).</summary>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    private protected static Socket Bind(IPEndPoint endPoint)
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
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the accept loop; called once by the subclass's factory.</summary>
    private protected void StartAccepting() => _loop = Task.Run(AcceptLoopAsync);

    /// <summary>Answers one accepted connection (must not block the loop; owns <paramref name="client"/>).</summary>
    private protected abstract void OnAccepted(Socket client);

    /// <summary>Logs an accept that failed (a connection reset before it was accepted and the like); the loop goes on.</summary>
    private protected abstract void OnAcceptFailed(SocketException exception);

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
                OnAcceptFailed(ex);
                continue;
            }

            OnAccepted(client);
        }
    }
}
