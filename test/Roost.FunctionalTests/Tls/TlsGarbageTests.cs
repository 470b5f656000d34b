using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>
/// TLS records that are not a ClientHello, sent first on a TLS port (issue 13, item 8: "NotSupportedException: The
/// server mode SSL must use a certificate with the associated private key" from ClientHelloPeek.PeekAsync).
/// </summary>
/// <remarks>
/// The cause: <c>SslStream</c> asks the server for its options (certificate included) only when the first record
/// parses as a ClientHello. Any other TLS record first — an alert, application data, change_cipher_spec, or a
/// handshake record holding another message — skips Kestrel's handshake callback, so the handshake goes on with no
/// certificate and <c>SslStream</c> throws <c>NotSupportedException</c> with that message. Kestrel catches only
/// authentication and I/O errors in its TLS middleware, so it surfaced as an unhandled connection error (Error level)
/// with ClientHelloPeek, the outermost middleware, on the stack. Random garbage starts like that about once in 256
/// connections (first byte 0x16, 0x15, 0x17…) — "once, with TLS-garbage clients on three ports".
/// </remarks>
public sealed class TlsGarbageTests
{
    public static TheoryData<string, string> Records()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in new[] { nameof(TlsPolicy.Intermediate), nameof(TlsPolicy.Modern) })
        {
            data.Add(policy, "15030100020228");             // alert record (handshake_failure)
            data.Add(policy, "170301000401020304");         // application data record
            data.Add(policy, "140301000101");               // change_cipher_spec record
            data.Add(policy, "16030100040200000000");       // handshake record with a ServerHello
            data.Add(policy, "16030100040000000000");       // handshake record with message type 0
        }

        return data;
    }

    // Verifies: such a record is refused like any other bad handshake — connection closed, one Debug line naming
    // the client and the reason, nothing at Error level — and real handshakes go on working, with either policy
    // (Modern had no ClientHello peek before).
    [Theory]
    [MemberData(nameof(Records))]
    public async Task FirstRecordNotAClientHello_IsRefusedWithoutAnError(string policy, string hex)
    {
        using var logs = new CapturingLoggerProvider();
        await using var running = await RunningServer.StartAsync(
            TestProtocol.H2Tls,
            (req, res) => res.End("ok"),
            options =>
            {
                options.LoggerFactory = logs.CreateFactory();
                ((SecureServerOptions)options).TlsPolicy = Enum.Parse<TlsPolicy>(policy);
            });

        for (var i = 0; i < 3; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, running.Server.Port, TestContext.Current.CancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(Convert.FromHexString(hex), TestContext.Current.CancellationToken);

            // The server closes the connection (EOF, or a reset after an alert): either way within the timeout.
            var buffer = new byte[256];
            try
            {
                while (await stream.ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken) > 0)
                {
                }
            }
            catch (IOException)
            {
                // Reset by the server: closed as well.
            }

            using var response = await running.Client.SendAsync(running.Request(HttpMethod.Get), TestContext.Current.CancellationToken);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(3, logs.Entries.Count(e => e.EventId.Id == 1110 && e.Message.Contains("is not a TLS ClientHello", StringComparison.Ordinal)));
    }
}
