using System.Globalization;
using System.Net;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>Cluster.Broadcast over the primary's IPC with real processes (the shared-state tests cover SharedBroadcast on top of it).</summary>
public sealed class ClusterBroadcastTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Verifies: a broadcast from each of 2 workers reaches both workers (the sender included, IsFromSelf true only
    // there) and the primary, with the sender's worker id; an oversized broadcast is logged and dropped by the
    // primary like any IPC message, and the channel and the cluster go on.
    [Fact]
    public async Task Broadcast_FromEachWorker_ReachesEveryWorkerAndPrimary_OversizedDroppedAndLogged()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_WORKER_MODE"] = "broadcast" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var received = await ClusterHost.WaitForLinesAsync(primary, "worker-broadcast ", 4, Timeout);
        await ClusterHost.WaitForLinesAsync(primary, "broadcast ", 3, Timeout);

        foreach (var receiver in new[] { 1, 2 })
        {
            foreach (var sender in new[] { 1, 2 })
            {
                var self = (receiver == sender).ToString(CultureInfo.InvariantCulture);
                Assert.Single(received, l => l == $"worker-broadcast {receiver} {sender} {self} \"after-oversized-{sender}\"");
            }

            Assert.Single(primary.Lines, l => l == $"broadcast {receiver} \"after-oversized-{receiver}\"");
        }

        Assert.Equal(2, primary.Lines.Count(l => l.Contains("Dropped a message from worker", StringComparison.Ordinal) && l.Contains("more than the limit of 1048576 bytes", StringComparison.Ordinal)));
        Assert.DoesNotContain(primary.Lines, l => l.Contains("xxxxxxxx", StringComparison.Ordinal));
        Assert.Single(primary.Lines, l => l == "broadcast 0 \"go\"");
        using var client = TestClients.Cleartext();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/", TestContext.Current.CancellationToken)).StatusCode);
        Assert.DoesNotContain(primary.Lines, l => l.StartsWith("exit ", StringComparison.Ordinal));
        ClusterHost.KillAll(ClusterHost.ForkedPids(primary));
    }
}
