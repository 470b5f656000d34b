using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>HTTP/1.1 request framing the server must not trust (RFC 9112 §6).</summary>
public sealed partial class RequestFramingTests
{
    // Verifies: a request with both Content-Length and Transfer-Encoding: chunked is answered once and the connection
    // closed after it (RFC 9112 §6.1: the server MUST close), even when the handler reads the whole body first, so the
    // request hidden after the chunked body (what a proxy that trusted the Content-Length would not have seen) is
    // never answered. Kestrel 10 does this itself; this test catches a runtime or façade change that stops it.
    [Fact]
    public async Task ContentLengthWithChunked_BodyRead_OneAnswerThenClosed()
    {
        await using var running = await RunningServer.StartAsync(TestProtocol.Http11, async (req, res) =>
        {
            var body = await req.ReadBodyAsync(req.Aborted);
            await res.EndAsync($"read {body.Length} bytes of {req.Url}");
        });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", running.Server.Port, TestContext.Current.CancellationToken);
        var request = "POST /first HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);

        var received = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));

        Assert.Single(StatusLine().Matches(received.Text));
        Assert.Contains("read 5 bytes of /first", received.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/smuggled", received.Text, StringComparison.Ordinal);
        Assert.True(received.Closed, $"The connection stayed open after the answer:\n{received.Text}");
    }

    // Verifies: the same request line without Content-Length (chunked only) keeps the connection alive for the next
    // request: the close above is for the ambiguous framing only.
    [Fact]
    public async Task ChunkedOnly_BodyRead_KeepsConnectionForNextRequest()
    {
        await using var running = await RunningServer.StartAsync(TestProtocol.Http11, async (req, res) =>
        {
            var body = await req.ReadBodyAsync(req.Aborted);
            await res.EndAsync($"read {body.Length} bytes of {req.Url}");
        });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", running.Server.Port, TestContext.Current.CancellationToken);
        var request = "POST /first HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);

        var received = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));

        Assert.True(StatusLine().Matches(received.Text).Count == 2, received.Text);
        Assert.True(received.Closed);
        Assert.Contains("read 0 bytes of /second", received.Text, StringComparison.Ordinal);
    }

    private static async Task<(string Text, bool Closed)> ReadUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var all = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return (Encoding.ASCII.GetString(all.ToArray()), true);
                }

                all.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return (Encoding.ASCII.GetString(all.ToArray()), false);
        }
    }

    [GeneratedRegex(@"HTTP/1\.1 \d{3} ")]
    private static partial Regex StatusLine();
}
