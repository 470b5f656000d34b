using System.Text;
using System.Text.RegularExpressions;
using Roost.Abuse;

namespace Roost.IntegrationTests.Abuse;

/// <summary>
/// Malformed and oversized HTTP/1.1, TLS garbage and many idle connections against <c>roost serve --workers 2</c>
/// (the short CI versions of benchmarks/abuse). Each test also checks that no process of the cluster died and that
/// well-behaved requests still get 200.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class Http1AbuseTests(AbuseServer server) : IClassFixture<AbuseServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: every malformed request of the suite gets 400 (505 for an unknown HTTP version) and the connection is
    // closed; none gets a 200 (RFC 9112 §3, §5.1–5.2, §6.3: a request line, header or length the server cannot trust).
    [Fact]
    public async Task MalformedRequests_Answered400AndClosed()
    {
        var rejected = Http1Attacks.MalformedRequests.Where(r => r.Name is not ("Content-Length with chunked" or "bad chunk size"));
        foreach (var (name, request) in rejected)
        {
            var (status, ending, _) = await SendAsync(request);

            Assert.True(status is "400" || (name == "bad HTTP version" && status == "505"), $"{name}: answered {status ?? "nothing"}, then {ending}.");
            Assert.True(ending is "closed" or "reset", $"{name}: the connection was left {ending ?? "open"} after {status}.");
        }

        await server.AssertHealthyAsync();
    }

    // Verifies: request smuggling shapes are not served twice. Content-Length together with Transfer-Encoding: chunked
    // is read as chunked and the connection closed after the answer (RFC 9112 §6.1), so the request hidden after the
    // chunked body is never answered; a bad chunk size ends the connection too.
    [Fact]
    public async Task SmugglingShapes_OneAnswerAtMostThenClosed()
    {
        foreach (var name in new[] { "Content-Length with chunked", "bad chunk size" })
        {
            var request = Http1Attacks.MalformedRequests.Single(r => r.Name == name).Request;

            var (status, ending, text) = await SendAsync(request);

            Assert.True(ending is "closed" or "reset", $"{name}: the connection was left {ending ?? "open"} after {status}.");
            Assert.True(StatusLine().Matches(text).Count <= 1, $"{name}: more than one response on the connection:\n{text}");
        }

        await server.AssertHealthyAsync();
    }

    // Verifies: 64 KB of request headers get 431 and a 16 KB URL gets 414 (Kestrel's 32 KB and 8 KB limits), each
    // followed by a close, while a probe keeps being served.
    [Fact]
    public async Task OversizedHeadersAndUrl_Answered431And414()
    {
        var (tally, probe) = await server.AttackAsync(Http1Attacks.OversizedHeaders, connections: 2, TimeSpan.FromSeconds(5));

        Assert.True(tally.Count("64 KB of headers: 431 then closed") > 0, tally.ToString());
        Assert.True(tally.Count("16 KB URL: 414 then closed") > 0, tally.ToString());
        Assert.Equal(0, tally.Answers.Where(a => !a.Key.Contains("431 then closed", StringComparison.Ordinal) && !a.Key.Contains("414 then closed", StringComparison.Ordinal)).Sum(a => a.Value));
        AbuseServer.AssertProbeServed(probe);
        await server.AssertHealthyAsync();
    }

    // Verifies: random bytes and plain-text HTTP sent to the TLS port end the connection within 12 s (no hang, no
    // crash; Kestrel's handshake timeout is 10 s).
    [Fact]
    public async Task TlsGarbage_ConnectionsEnded()
    {
        var (tally, probe) = await server.AttackAsync(TlsAttacks.Garbage, connections: 4, TimeSpan.FromSeconds(5));

        Assert.True(tally.Connections > 0);
        Assert.Equal(0, tally.Count("open after 12 s"));
        AbuseServer.AssertProbeServed(probe);
        await server.AssertHealthyAsync();
    }

    // Verifies: 200 idle TLS connections (half HTTP/1.1, half h2) are all accepted and held for 15 s (well inside
    // the 130 s keep-alive timeout), and the probe is served meanwhile: idle connections do not starve well-behaved
    // clients.
    [Fact]
    public async Task IdleConnections_AllHeld_ProbeServed()
    {
        var h1 = server.AttackAsync(TlsAttacks.IdleH1, connections: 100, TimeSpan.FromSeconds(15));
        var h2 = server.AttackAsync(TlsAttacks.IdleH2, connections: 100, TimeSpan.FromSeconds(15));
        var results = await Task.WhenAll(h1, h2);

        foreach (var (tally, probe) in results)
        {
            Assert.True(tally.Count("held open to the end") == 100, $"Not every connection was held: {tally}");
            AbuseServer.AssertProbeServed(probe);
        }

        await server.AssertHealthyAsync();
    }

    private async Task<(string? Status, string? Ending, string Text)> SendAsync(string request)
    {
        await using var wire = await Wire.TlsAsync(server.Target, "http/1.1", Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var reading = wire.ReadToEndAsync(received, timeout.Token);
        await wire.TryWriteAsync(Encoding.Latin1.GetBytes(request), Ct);
        var ending = await reading;
        return (Wire.Http1Status(received), ending, Encoding.Latin1.GetString(received.ToArray()));
    }

    [GeneratedRegex(@"HTTP/1\.1 \d{3} ")]
    private static partial Regex StatusLine();
}
