using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Roost.Server.Internal;

/// <summary>
/// The client of a hot spare's warm-up (<see cref="KestrelHost.WarmUpAsync"/>): one GET over a raw socket (TLS with
/// ALPN when the server is secure), HTTP/2 with the client preface when the server speaks it (always over TLS when
/// offered, prior knowledge in cleartext when it is the only protocol), else HTTP/1.1. It waits for the response
/// headers and closes. Only the server's paths need compiling: an <c>HttpClient</c> here cost the waiting spare about
/// 10 MB of resident memory for its own code (benchmarks/results/cluster-memory.md).
/// </summary>
internal static class WarmUpClient
{
    private const byte HeadersFrame = 0x1;
    private const byte GoAwayFrame = 0x7;

    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Sends one request to 127.0.0.1:<paramref name="port"/> and reads until the response headers arrived.</summary>
    public static async Task SendAsync(int port, bool secure, bool http2, bool http2Only, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        await using (stream.ConfigureAwait(false))
        {
            var useHttp2 = http2Only;
            if (secure)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                List<SslApplicationProtocol> protocols = http2Only ? [SslApplicationProtocol.Http2] : http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11];
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = "localhost",
                        ApplicationProtocols = protocols,
                        RemoteCertificateValidationCallback = static (_, _, _, _) => true,
                    },
                    cancellationToken).ConfigureAwait(false);
                useHttp2 = tls.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2;
            }

            if (useHttp2)
            {
                await SendHttp2Async(stream, secure, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SendHttp1Async(stream, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task SendHttp1Async(Stream stream, CancellationToken cancellationToken)
    {
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        var seen = new StringBuilder();
        while (seen.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    private static async Task SendHttp2Async(Stream stream, bool secure, CancellationToken cancellationToken)
    {
        // Preface, an empty SETTINGS frame, then HEADERS (END_STREAM | END_HEADERS) on stream 1 with HPACK static-table
        // entries :method GET (2), :path / (4), :scheme http (6) / https (7) and :authority (1) = "localhost".
        var request = new List<byte>(Preface.ToArray());
        request.AddRange([0, 0, 0, 0x4, 0, 0, 0, 0, 0]);
        byte[] block = [0x82, 0x84, secure ? (byte)0x87 : (byte)0x86, 0x41, 9, .. "localhost"u8];
        request.AddRange([0, 0, (byte)block.Length, HeadersFrame, 0x5, 0, 0, 0, 1]);
        request.AddRange(block);
        await stream.WriteAsync(request.ToArray(), cancellationToken).ConfigureAwait(false);

        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var streamId = ((header[5] & 0x7F) << 24) | (header[6] << 16) | (header[7] << 8) | header[8];
            if (length > 0)
            {
                await stream.ReadExactlyAsync(new byte[length], cancellationToken).ConfigureAwait(false);
            }

            if ((header[3] == HeadersFrame && streamId == 1) || header[3] == GoAwayFrame)
            {
                return;
            }
        }
    }
}
