using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Roost.Abuse;

/// <summary>One attacking connection: TCP, optionally TLS with one ALPN protocol, and how it ended.</summary>
public sealed class Wire : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stopwatch _age = Stopwatch.StartNew();

    private Wire(Socket socket, Stream stream)
    {
        _socket = socket;
        Stream = stream;
    }

    /// <summary>The stream to write the attack to (TLS or plain TCP).</summary>
    public Stream Stream { get; }

    /// <summary>Time since the TCP connection was made.</summary>
    public TimeSpan Age => _age.Elapsed;

    /// <summary>Opens a TCP connection (no TLS).</summary>
    public static async Task<Wire> TcpAsync(Target target, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new Wire(socket, new NetworkStream(socket, ownsSocket: false));
    }

    /// <summary>Opens a TLS connection offering one ALPN protocol ("h2" or "http/1.1"); the certificate is not checked (loopback).</summary>
    public static async Task<Wire> TlsAsync(Target target, string alpn, CancellationToken cancellationToken)
    {
        var tcp = await TcpAsync(target, cancellationToken).ConfigureAwait(false);
        var tls = new SslStream(tcp.Stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = target.Authority,
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
                ApplicationProtocols = [new SslApplicationProtocol(alpn)],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            await tcp.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new Wire(tcp._socket, tls);
    }

    /// <summary>Writes and flushes; false when the server has ended the connection (the write failed).</summary>
    public async Task<bool> TryWriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads what the server sends until it ends the connection or <paramref name="cancellationToken"/> fires, and
    /// says how it ended: "closed" (FIN), "reset" (RST) or <see langword="null"/> (still open). Bytes go to
    /// <paramref name="received"/> (up to 64 KB are kept).
    /// </summary>
    public async Task<string?> ReadToEndAsync(MemoryStream received, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return "closed";
                }

                if (received.Length < 65536)
                {
                    received.Write(buffer, 0, n);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            return ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset } || ex is SocketException { SocketErrorCode: SocketError.ConnectionReset }
                ? "reset"
                : "closed";
        }
    }

    /// <summary>The status code of the first HTTP/1.1 response in <paramref name="bytes"/>, or null.</summary>
    public static string? Http1Status(MemoryStream bytes)
    {
        var text = Encoding.Latin1.GetString(bytes.GetBuffer(), 0, (int)Math.Min(bytes.Length, 64));
        return text.StartsWith("HTTP/1.", StringComparison.Ordinal) && text.Length >= 12 ? text.Substring(9, 3) : null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The server already reset the connection: nothing left to close.
        }

        _socket.Dispose();
    }
}
