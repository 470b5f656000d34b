using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Roost.Server.Internal;

namespace Roost.Server.Tests.Tls;

/// <summary>
/// <see cref="ClientHelloPeek.Inspect"/> on real ClientHellos: the first bytes an <see cref="SslStream"/> client sends
/// to a loopback socket, captured before any server answers.
/// </summary>
public sealed class ClientHelloPeekTests
{
    [Fact]
    public async Task ClientOfferingTls13_IsMarked()
    {
        var hello = await CaptureClientHelloAsync(SslProtocols.Tls12 | SslProtocols.Tls13);
        Assert.Equal(ClientHelloPeek.Outcome.OffersTls13, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(hello)));
    }

    [Fact]
    public async Task Tls12OnlyClient_IsNotMarked()
    {
        var hello = await CaptureClientHelloAsync(SslProtocols.Tls12);
        Assert.Equal(ClientHelloPeek.Outcome.Other, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(hello)));
    }

    // Verifies: a ClientHello whose ALPN list is acme-tls/1 alone (an ACME CA validating TLS-ALPN-01, RFC 8737 §3) is
    // marked, without changing the TLS 1.3 outcome; one that also offers h2, or none, is not.
    [Fact]
    public async Task AcmeTlsAlpnOnly_IsMarked_OtherAlpnListsAreNot()
    {
        var acme = await CaptureClientHelloAsync(SslProtocols.Tls12 | SslProtocols.Tls13, [new SslApplicationProtocol("acme-tls/1")]);
        Assert.Equal(ClientHelloPeek.Outcome.OffersTls13, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(acme), out var marked));
        Assert.True(marked);

        var mixed = await CaptureClientHelloAsync(SslProtocols.Tls12, [SslApplicationProtocol.Http2, new SslApplicationProtocol("acme-tls/1")]);
        Assert.Equal(ClientHelloPeek.Outcome.Other, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(mixed), out marked));
        Assert.False(marked);

        var plain = await CaptureClientHelloAsync(SslProtocols.Tls12 | SslProtocols.Tls13, [SslApplicationProtocol.Http2]);
        ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(plain), out marked);
        Assert.False(marked);
    }

    [Fact]
    public async Task IncompleteRecord_NeedsMore_AndSplitSegmentsAreRead()
    {
        var hello = await CaptureClientHelloAsync(SslProtocols.Tls12 | SslProtocols.Tls13);
        Assert.Equal(ClientHelloPeek.Outcome.NeedMore, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(hello, 0, 3)));
        Assert.Equal(ClientHelloPeek.Outcome.NeedMore, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(hello, 0, hello.Length - 1)));

        // The same bytes in three segments (as a pipe delivers them after several reads).
        var first = new Segment(hello.AsMemory(0, 3));
        var last = first.Append(hello.AsMemory(3, 40)).Append(hello.AsMemory(43));
        Assert.Equal(ClientHelloPeek.Outcome.OffersTls13, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length)));
    }

    [Fact]
    public void NotTls_IsNotMarked()
    {
        var http = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(ClientHelloPeek.Outcome.Other, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(http)));
    }

    // Issue 13, item 8: SslStream skips the server's option callback (and so has no certificate) for these.
    [Theory]
    [InlineData("15030100020228")]
    [InlineData("170301000401020304")]
    [InlineData("140301000101")]
    [InlineData("1803010001ff")]
    [InlineData("16030100040200000000")]
    [InlineData("16030100040000000000")]
    public void TlsRecordThatIsNotAClientHello_IsRefused(string hex)
    {
        Assert.Equal(ClientHelloPeek.Outcome.NotClientHello, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(Convert.FromHexString(hex))));
    }

    [Theory]
    [InlineData("1603010000")]
    [InlineData("160301000101")]
    public void HandshakeRecordTooShortToTell_IsLeftToSslStream(string hex)
    {
        Assert.Equal(ClientHelloPeek.Outcome.Other, ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(Convert.FromHexString(hex))));
    }

    [Fact]
    public async Task TruncatedOrCorruptLengths_AreNotMarked()
    {
        var hello = await CaptureClientHelloAsync(SslProtocols.Tls12 | SslProtocols.Tls13);
        var record = hello.AsSpan(5).ToArray();

        // Handshake length larger than the record: the hello continues in another record.
        var longer = (byte[])record.Clone();
        longer[1] = 0xff;
        Assert.Equal(ClientHelloPeek.Outcome.Other, ClientHelloPeek.InspectRecord(longer));

        // Every prefix of the record parses without throwing and is never marked unless complete.
        for (var length = 0; length < record.Length; length++)
        {
            var prefix = record.AsSpan(0, length).ToArray();
            if (length >= 4)
            {
                // Keep the handshake length consistent with the prefix so the parser walks into the cut.
                var body = length - 4;
                prefix[1] = (byte)(body >> 16);
                prefix[2] = (byte)(body >> 8);
                prefix[3] = (byte)body;
            }

            _ = ClientHelloPeek.InspectRecord(prefix);
        }
    }

    /// <summary>Starts a TLS client against a loopback listener that never answers and returns its first TLS record.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(SslProtocols protocols, List<SslApplicationProtocol>? alpn = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        using var accepted = await listener.AcceptTcpClientAsync(timeout.Token);
        var ssl = new SslStream(client.GetStream());
        var handshake = ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocols, ApplicationProtocols = alpn },
            timeout.Token);

        var stream = accepted.GetStream();
        var header = new byte[5];
        await stream.ReadExactlyAsync(header, timeout.Token);
        var record = new byte[5 + ((header[3] << 8) | header[4])];
        header.CopyTo(record, 0);
        await stream.ReadExactlyAsync(record.AsMemory(5), timeout.Token);

        accepted.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        await ssl.DisposeAsync();
        return record;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
