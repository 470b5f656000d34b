using Roost.Clustering.Internal;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The slot table and the reuseport steering of the supervisor (<c>SlotTable</c>, <c>ConnectionSteering</c>), run for
/// real on a fake clock with stand-in workers: which slot a respawn and a fork take, what a respawn inherits from its
/// slot, and which slots a scale steers new connections to.
/// </summary>
public sealed class SupervisorSlotTests
{
    /// <summary>
    /// Verifies that a respawn takes the dead worker's slot and fork environment and counts the slot's restarts (the
    /// other slot's count stays 0), and that a fork while a slot waits for its respawn skips that slot.
    /// </summary>
    [Fact]
    public async Task Respawn_TakesTheDeadWorkersSlotAndEnvironment_CountsRestartsPerSlot_ForkSkipsAPendingSlot()
    {
        await using var harness = new SupervisorHarness(o => o.MaxCrashes = 100);
        var keeper = await harness.ForkReadyAsync(new Dictionary<string, string?> { ["APP_ROLE"] = "web" });
        var crasher = await harness.ForkReadyAsync(new Dictionary<string, string?> { ["APP_ROLE"] = "jobs" });
        StandInWorker? forked = null;
        for (var crash = 1; crash <= 3; crash++)
        {
            crasher.Kill();
            await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting, crash);
            if (crash == 3)
            {
                forked = await harness.ForkAsync();
            }

            await harness.SyncAsync(keeper);
            harness.Time.Advance(TimeSpan.FromSeconds(2));
            crasher = await harness.NextStartedAsync();
            await harness.MakeReadyAsync(crasher);

            Assert.Equal("jobs", crasher.Environment["APP_ROLE"]);
            Assert.Equal(crash, harness.Supervisor.Workers[crasher.Id].Restarts);
        }

        Assert.Equal(0, harness.Supervisor.Workers[keeper.Id].Restarts);
        Assert.Equal(0, harness.Supervisor.Workers[forked!.Id].Restarts);
        var snapshot = await harness.SnapshotAsync();
        Assert.Equal([(keeper.Id, 0), (crasher.Id, 1), (forked.Id, 2)], snapshot.Workers.Select(w => (w.Id, w.Slot!.Value)));
    }

    /// <summary>
    /// Verifies the reuseport steering: none before the first scale; a scale down steers away from the removed slot
    /// before its worker drains; a scale up steers to the new slot only once its worker is ready.
    /// </summary>
    [Fact]
    public async Task Scale_SteersReusePortConnections_ToTheSlotsItKeeps_NewSlotsOnlyOnceReady()
    {
        await using var harness = new SupervisorHarness(o => o.ListenerSharing = ListenerSharingMode.ReusePort);
        var first = await harness.ForkReadyAsync();
        var second = await harness.ForkReadyAsync();
        Assert.Empty(harness.LogsOf(ClusterEventIds.SteeringChanged));
        string[] Steered() => [.. harness.LogsOf(ClusterEventIds.SteeringChanged).Select(e => e.Message)];

        var down = harness.Supervisor.ScaleAsync(1, null);
        await second.StopReceived.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(["New reuseport connections go to slot(s) 0, 1", "New reuseport connections go to slot(s) 0"], Steered());
        await down.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        var up = harness.Supervisor.ScaleAsync(3, null);
        var added = new[] { await harness.NextStartedAsync(), await harness.NextStartedAsync() };
        await harness.SyncAsync(first);
        Assert.Equal(2, Steered().Length);
        await harness.MakeReadyAsync(added[0]);
        await harness.SyncAsync(first);
        Assert.Equal("New reuseport connections go to slot(s) 0, 1", Assert.Single(Steered().Skip(2)));
        await harness.MakeReadyAsync(added[1]);
        await up.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.Equal("New reuseport connections go to slot(s) 0, 1, 2", Assert.Single(Steered().Skip(3)));
    }
}
