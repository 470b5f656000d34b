using Roost.Clustering.Internal;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The TLS session ticket keys the supervisor hands out (Supervisor.TicketKeys.cs, <c>TicketKeyDistribution</c>), run
/// for real on a fake clock with stand-in workers: every worker and spare gets the instance's keys as it starts, and
/// all of them get the rotated keys when the rotation interval has passed, not before.
/// </summary>
public sealed class SupervisorTicketKeyTests
{
    /// <summary>
    /// Verifies that workers and the hot spare get the same keys (generation 0) at start, that nothing is rotated one
    /// second before SessionTicketKeyRotation, that at the interval every worker and the spare get generation 1 (a
    /// new encrypting key in front, the old one kept), and that a worker started later gets the rotated keys.
    /// </summary>
    [Fact]
    public async Task TicketKeys_SentToEveryWorkerAndSpareAtStart_RotatedForAllAtTheInterval()
    {
        await using var harness = new SupervisorHarness(o =>
        {
            o.HotSpares = 1;
            o.SessionTicketKeyRotation = TimeSpan.FromMinutes(10);
        });
        var first = await harness.ForkAsync();
        var second = await harness.ForkAsync();
        await harness.MakeReadyAsync(first);
        await harness.MakeReadyAsync(second);
        var spare = await harness.NextStartedAsync();
        spare.SpareWaiting();
        await harness.WaitForLogAsync(ClusterEventIds.SpareWaiting);
        StandInWorker[] all = [first, second, spare];
        await UntilAsync(() => all.All(w => w.TicketKeys.Count == 1));
        var initial = Assert.Single(first.TicketKeys);
        Assert.Equal(0, initial.Generation);
        Assert.All(all, w => Assert.Equal(initial.Keys, Assert.Single(w.TicketKeys).Keys));

        harness.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        await harness.SyncAsync(first);
        Assert.All(all, w => Assert.Single(w.TicketKeys));
        Assert.Empty(harness.LogsOf(ClusterEventIds.TicketKeysRotated));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.WaitForLogAsync(ClusterEventIds.TicketKeysRotated);
        await UntilAsync(() => all.All(w => w.TicketKeys.Count == 2));
        var rotated = first.TicketKeys.Last();
        Assert.Equal(1, rotated.Generation);
        Assert.Equal([rotated.Keys[0], initial.Keys[0]], rotated.Keys);
        Assert.NotEqual(initial.Keys[0], rotated.Keys[0]);
        Assert.All(all, w => Assert.Equal(rotated.Keys, w.TicketKeys.Last().Keys));

        var late = await harness.ForkAsync();
        await UntilAsync(() => late.TicketKeys.Count > 0);
        Assert.Equal(rotated.Keys, Assert.Single(late.TicketKeys).Keys);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(SupervisorHarness.Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
