using Roost.Abuse;

namespace Roost.IntegrationTests.Abuse;

/// <summary>
/// HTTP/2 floods and header bombs against <c>roost serve --workers 2</c> (the short CI versions of benchmarks/abuse;
/// Rapid Reset and CONTINUATION floods have their own tests with the h2 frame guard). Each test also checks that no
/// process of the cluster died and that well-behaved requests still get 200.
/// </summary>
[Trait("Category", "Slow")]
public sealed class Http2AbuseTests(AbuseServer server) : IClassFixture<AbuseServer>
{
    // Verifies: a SETTINGS flood whose ACKs are never read (CVE-2019-9515) neither stops the probe nor kills a worker,
    // and costs the cluster a bounded amount of memory: the server stops reading (backpressure) or says GOAWAY, it
    // does not queue an answer per frame without end.
    [Fact]
    public async Task SettingsFlood_Bounded_ProbeServed() => await FloodAsync(Http2Attacks.SettingsFlood);

    // Verifies: the same for a PING flood (CVE-2019-9512).
    [Fact]
    public async Task PingFlood_Bounded_ProbeServed() => await FloodAsync(Http2Attacks.PingFlood);

    // Verifies: a request whose HPACK block references one 4 KB table entry 4,000 times (16 MB once decoded) is
    // refused — never answered 200 — with GOAWAY, RST_STREAM or 431, and the connection does not stay stuck.
    [Fact]
    public async Task HpackBomb_Refused()
    {
        var (tally, probe) = await server.AttackAsync(Http2Attacks.HpackBomb, connections: 2, TimeSpan.FromSeconds(5));

        AssertRefused(tally);
        AbuseServer.AssertProbeServed(probe);
        await server.AssertHealthyAsync();
    }

    // Verifies: 64 KB of request headers over h2 (HEADERS + CONTINUATION) are refused (GOAWAY, RST_STREAM or 431),
    // never answered 200.
    [Fact]
    public async Task OversizedHeaders_Refused()
    {
        var (tally, probe) = await server.AttackAsync(Http2Attacks.OversizedHeaders, connections: 2, TimeSpan.FromSeconds(5));

        AssertRefused(tally);
        AbuseServer.AssertProbeServed(probe);
        await server.AssertHealthyAsync();
    }

    private async Task FloodAsync(Attack flood)
    {
        var before = Roost.Abuse.ProcessTree.RssKilobytesOfTree(server.Roost.Pid);
        var (tally, probe) = await server.AttackAsync(flood, connections: 2, TimeSpan.FromSeconds(4));
        var after = Roost.Abuse.ProcessTree.RssKilobytesOfTree(server.Roost.Pid);

        Assert.True(tally.Sent > 10_000, $"The flood sent only {tally.Sent} frames: {tally}");
        // An answer queued per frame would be hundreds of MB for this many frames; a bounded server grows by the
        // size of its buffers. 150 MB for the whole tree (primary, 2 workers, spare) leaves room for GC noise.
        Assert.True(after - before < 150 * 1024, $"The cluster's RSS grew from {before / 1024} MB to {after / 1024} MB during {tally.Sent} frames.");
        AbuseServer.AssertProbeServed(probe);
        await server.AssertHealthyAsync();
    }

    private static void AssertRefused(Tally tally)
    {
        Assert.True(tally.Connections > 0);
        var accepted = tally.Answers.Where(a => a.Key.StartsWith("200", StringComparison.Ordinal)).Sum(a => a.Value);
        Assert.True(accepted == 0, $"Some were answered 200: {tally}");
        var refused = tally.Count("GOAWAY") + tally.Count("RST_STREAM") + tally.Count("431");
        Assert.True(refused > 0, $"Neither GOAWAY, RST_STREAM nor 431: {tally}");
    }
}
