using Roost.Abuse;

namespace Roost.IntegrationTests.Abuse;

/// <summary>
/// Slow clients against <c>roost serve --workers 2</c> with its default limits (the short CI version of
/// benchmarks/abuse): they are cut off by Kestrel's timeouts, and well-behaved requests are served meanwhile.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SlowClientAbuseTests(AbuseServer server) : IClassFixture<AbuseServer>
{
    // Verifies, with the three attacks side by side for 40 s:
    // - slowloris (headers trickled, one line a second, never finished): answered 408 and closed by the request
    //   headers timeout (30 s);
    // - slow body (POST of 1 MB at 10 bytes/s): the connection is ended by the minimum request body data rate
    //   (240 bytes/s after a 5 s grace);
    // - half handshakes (19 bytes of a ClientHello, then silence): ended by the TLS handshake timeout (10 s).
    [Fact]
    public async Task SlowlorisSlowBodyHalfHandshake_CutOffByTimeouts_ProbeServed()
    {
        var duration = TimeSpan.FromSeconds(40);
        var slowloris = server.AttackAsync(Http1Attacks.Slowloris, connections: 4, duration);
        var slowBody = server.AttackAsync(Http1Attacks.SlowBody, connections: 4, duration);
        var halfHandshake = server.AttackAsync(TlsAttacks.HalfHandshake, connections: 4, duration);
        var ((loris, lorisProbe), (body, bodyProbe), (half, halfProbe)) = (await slowloris, await slowBody, await halfHandshake);

        Assert.True(loris.Count("408 then closed") >= 4, $"slowloris: {loris}");
        Assert.True(loris.CloseSeconds.All(s => s < 39), $"slowloris connections lived {string.Join(", ", loris.CloseSeconds)} s.");
        Assert.True(body.Count("then reset") + body.Count("then closed") >= 4, $"slow body: {body}");
        Assert.True(half.Count("reset") + half.Count("closed") >= 8, $"half handshakes: {half}");
        AbuseServer.AssertProbeServed(lorisProbe);
        AbuseServer.AssertProbeServed(bodyProbe);
        AbuseServer.AssertProbeServed(halfProbe);
        await server.AssertHealthyAsync();
    }
}
