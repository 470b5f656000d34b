using System.Text;

namespace Roost.Abuse;

/// <summary>Attacks on the TLS layer and on connection counts.</summary>
public static class TlsAttacks
{
    // A TLS record header announcing a 512-byte handshake record, and the first bytes of a ClientHello in it.
    private static readonly byte[] PartialClientHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0, 1, 2, 3, 4, 5, 6, 7];

    public static readonly Attack HalfHandshake = new("half-handshake", "TCP connections that send the first 19 bytes of a 512-byte ClientHello and stop", 200,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            await using var wire = await Wire.TcpAsync(target, token).ConfigureAwait(false);
            tally.Connected();
            var received = new MemoryStream();
            var reading = wire.ReadToEndAsync(received, token);
            await wire.TryWriteAsync(PartialClientHello, token).ConfigureAwait(false);
            tally.Add(1);
            var ending = await reading.ConfigureAwait(false);
            Record(tally, wire, received, ending);
        }));

    public static readonly Attack Garbage = new("tls-garbage", "TCP connections to the TLS port sending 2 KB of random bytes (not starting like a TLS record), or a plain-text HTTP request", 8,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            var plain = Random.Shared.Next(4) == 0;
            await using var wire = await Wire.TcpAsync(target, token).ConfigureAwait(false);
            tally.Connected();
            var received = new MemoryStream();
            // Longer than Kestrel's TLS handshake timeout (10 s): a server
            // that waits for more bytes of a record it cannot parse shows as "open after 12 s".
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(12));
            var reading = wire.ReadToEndAsync(received, timeout.Token);
            var bytes = plain ? Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {target.Authority}\r\n\r\n") : RandomBytes();
            await wire.TryWriteAsync(bytes, token).ConfigureAwait(false);
            tally.Add(1);
            var ending = await reading.ConfigureAwait(false);
            var what = received.Length == 0 ? "nothing"
                : received.GetBuffer()[0] == 0x15 ? "TLS alert"
                : Wire.Http1Status(received) is { } status ? status
                : $"{received.Length} bytes";
            tally.Answer($"{(plain ? "plain HTTP" : "random bytes")}: {what}, then {ending ?? "open after 12 s"}");
        }));

    public static readonly Attack IdleH1 = Idle("idle-h1", "http/1.1", "TLS connections (ALPN http/1.1) opened and left idle, no request");

    public static readonly Attack IdleH2 = Idle("idle-h2", "h2", "TLS connections (ALPN h2) with the HTTP/2 preface and SETTINGS, then idle");

    private static Attack Idle(string name, string alpn, string what) => new(name, what, 2000,
        (target, settings, tally, ct) =>
        {
            // At most 32 handshakes at a time: the point is connections held, not a handshake storm.
            var handshakes = new SemaphoreSlim(32, 32);
            return Attack.LoopAsync(settings, tally, ct, async token =>
            {
                Wire wire;
                await handshakes.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    wire = await Wire.TlsAsync(target, alpn, token).ConfigureAwait(false);
                    if (alpn == "h2")
                    {
                        await wire.TryWriteAsync(H2.Preface(), token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    handshakes.Release();
                }

                await using (wire)
                {
                    tally.Connected();
                    var received = new MemoryStream();
                    var ending = await wire.ReadToEndAsync(received, token).ConfigureAwait(false);
                    if (ending is not null)
                    {
                        tally.ServerEnded(wire.Age);
                    }

                    tally.Answer(ending is null ? "held open to the end" : $"ended by the server: {ending}");
                }
            });
        });

    private static byte[] RandomBytes()
    {
        var bytes = new byte[2048];
        Random.Shared.NextBytes(bytes);
        bytes[0] = (byte)Random.Shared.Next(0x14); // never a TLS record type (0x14–0x18): garbage from the first byte
        return bytes;
    }

    private static void Record(Tally tally, Wire wire, MemoryStream received, string? ending)
    {
        if (ending is not null)
        {
            tally.ServerEnded(wire.Age);
        }

        var what = received.Length == 0 ? "" : received.GetBuffer()[0] == 0x15 ? "TLS alert, then " : $"{received.Length} bytes, then ";
        tally.Answer(what + (ending ?? "open"));
    }
}
