using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests;

public sealed partial class ClusterTests
{
    // Verifies: each worker's request count (from ASP.NET Core's request-duration instrument, sent with the heartbeat)
    // and resident set size reach the primary's ClusterWorker; the counts add up to exactly the requests made.
    [Fact]
    public async Task WorkerStats_RequestCountsAndRss_ReachThePrimaryWithTheHeartbeat()
    {
        const int Requests = 60;
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_HEARTBEAT_MS"] = "200", ["TH_STATS_MS"] = "200" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);

        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        for (var i = 0; i < Requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/");
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, Ct);
            response.EnsureSuccessStatusCode();
        }

        // The latest "stats" line per worker id; wait until they add up (heartbeats are 200 ms apart).
        long total = 0;
        Dictionary<string, string[]> latest = [];
        using var cts = new CancellationTokenSource(Timeout);
        while (total != Requests && !cts.IsCancellationRequested)
        {
            await Task.Delay(100, Ct);
            latest = primary.Lines.Where(l => l.StartsWith("stats ", StringComparison.Ordinal))
                .Select(l => l.Split(' '))
                .GroupBy(f => f[1])
                .ToDictionary(g => g.Key, g => g.Last());
            total = latest.Values.Sum(f => long.Parse(f[3], CultureInfo.InvariantCulture));
        }

        Report($"stats: {string.Join(" | ", latest.Values.Select(f => string.Join(' ', f)))}");
        Assert.Equal(Requests, total);
        Assert.Equal(2, latest.Count);
        Assert.All(latest.Values, f => Assert.InRange(long.Parse(f[4], CultureInfo.InvariantCulture), 1_000_000, 4_000_000_000));
        Assert.All(latest.Values, f => Assert.Equal("0", f[5]));
    }
}
