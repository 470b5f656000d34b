using System.Collections.Concurrent;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Ipc;
using Roost.Server.Internal;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The hot-spare decisions of the supervisor (Supervisor.Spare.cs), run for real on a fake clock with stand-in
/// workers: when a spare starts, that it is neither a worker nor counted, when it is promoted and when not, what turns
/// spares off, and how a reload and a stop treat them.
/// </summary>
public sealed class SupervisorSpareTests
{
    /// <summary>
    /// Verifies that a spare starts only once no worker is booting, gets no listening sockets, is not in
    /// <c>Workers</c>, raises no application event, is not counted in the target (its state is "spare" with no slot),
    /// and is asked to stop with the cluster.
    /// </summary>
    [Fact]
    public async Task Spare_StartsWhenNoWorkerBoots_IsNotAWorkerNorCounted_StopsWithTheCluster()
    {
        await using var harness = new SupervisorHarness(o => o.HotSpares = 1);
        var events = new ConcurrentQueue<string>();
        harness.Supervisor.WorkerForked += (_, e) => events.Enqueue($"forked {e.Worker.Id}");
        harness.Supervisor.WorkerOnline += (_, e) => events.Enqueue($"online {e.Worker.Id}");
        var worker = await harness.ForkAsync();
        var booting = await harness.ForkAsync();
        await harness.MakeReadyAsync(worker);
        booting.Online();
        await harness.AssertNothingStartedAsync(worker, "a spare started while a worker was booting");

        await harness.ListeningAsync(booting);
        var spare = await harness.NextStartedAsync();
        spare.Online();
        spare.SpareWaiting();
        await harness.WaitForLogAsync(ClusterEventIds.SpareWaiting);
        await harness.AssertNothingStartedAsync(worker, "more spares started than HotSpares");

        Assert.True(spare.IsSpare);
        Assert.Equal(1, spare.Generation);
        Assert.Equal(string.Empty, spare.Environment[WorkerEnvironment.ListenHandles]);
        Assert.False(harness.Supervisor.Workers.ContainsKey(spare.Id));
        Assert.Equal([$"forked {worker.Id}", $"forked {booting.Id}", $"online {worker.Id}", $"online {booting.Id}"], events);
        var snapshot = await harness.SnapshotAsync();
        Assert.Equal(2, snapshot.TargetWorkers);
        Assert.Equal([(worker.Id, (int?)0, "ready"), (booting.Id, 1, "ready"), (spare.Id, null, "spare")], snapshot.Workers.Select(w => (w.Id, w.Slot, w.State)));

        harness.Supervisor.RequestStop();
        await spare.StopReceived.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(new StopMessage(0), spare.ReceivedStop);
        Assert.Equal(0, await harness.Supervisor.Completion.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken));
    }

    /// <summary>Verifies that no spare is started when workers are not respawned (Node's default), whatever HotSpares says.</summary>
    [Fact]
    public async Task Spare_NotStartedWithoutRespawn()
    {
        await using var harness = new SupervisorHarness(o =>
        {
            o.HotSpares = 2;
            o.RespawnWorkers = false;
        });
        var worker = await harness.ForkReadyAsync();

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await harness.AssertNothingStartedAsync(worker, "a spare started without RespawnWorkers");
    }

    /// <summary>
    /// Verifies that when a ready worker crashes, the waiting spare is promoted into its slot at once (promote message
    /// with the slot; it joins <c>Workers</c> and raises fork and online; no cold restart), and that the next spare
    /// starts only after the backoff the restart policy chose for the crash (100 ms ± 20 %), once the promoted one is ready.
    /// </summary>
    [Fact]
    public async Task Spare_WorkerCrashes_SpareIsPromotedIntoItsSlot_NextSpareAfterTheBackoff()
    {
        await using var harness = new SupervisorHarness(o => o.HotSpares = 1);
        var keeper = await harness.ForkAsync();
        var crasher = await harness.ForkAsync();
        await harness.MakeReadyAsync(keeper);
        await harness.MakeReadyAsync(crasher);
        var spare = await harness.NextStartedAsync();
        spare.Online();
        spare.SpareWaiting();
        await harness.WaitForLogAsync(ClusterEventIds.SpareWaiting);
        var events = new ConcurrentQueue<string>();
        harness.Supervisor.WorkerForked += (_, e) => events.Enqueue($"forked {e.Worker.Id}");
        harness.Supervisor.WorkerOnline += (_, e) => events.Enqueue($"online {e.Worker.Id}");

        crasher.Kill();
        var slot = await spare.Promoted.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        await harness.AssertNothingStartedAsync(keeper, "a cold replacement or a new spare started beside the promoted spare");

        Assert.Equal(1, slot);
        Assert.True(harness.Supervisor.Workers.ContainsKey(spare.Id));
        Assert.Equal([$"forked {spare.Id}", $"online {spare.Id}"], events);
        Assert.Empty(harness.LogsOf(ClusterEventIds.WorkerRestarting));
        var promoted = Assert.Single(harness.LogsOf(ClusterEventIds.SparePromoted));
        Assert.Equal(true, promoted.Properties.Single(p => p.Key == "WasWaiting").Value);
        Assert.Equal([(0, "ready"), (1, "starting")], (await harness.SnapshotAsync()).Workers.Select(w => (w.Slot!.Value, w.State)));

        await harness.ListeningAsync(spare);
        harness.Time.Advance(TimeSpan.FromMilliseconds(79));
        await harness.AssertNothingStartedAsync(keeper, "the next spare started before the crash's backoff");
        harness.Time.Advance(TimeSpan.FromMilliseconds(42));
        var next = await harness.NextStartedAsync();
        Assert.True(next.IsSpare);
    }

    /// <summary>Verifies that a spare is promoted only for a worker with its fork environment: another one's crash is restarted cold and the spare stays a spare.</summary>
    [Fact]
    public async Task Spare_OfAnotherForkEnvironment_IsNotPromoted()
    {
        await using var harness = new SupervisorHarness(o => o.HotSpares = 1);
        var first = await harness.ForkAsync(new Dictionary<string, string?> { ["APP_ROLE"] = "web" });
        var second = await harness.ForkAsync(new Dictionary<string, string?> { ["APP_ROLE"] = "jobs" });
        await harness.MakeReadyAsync(first);
        await harness.MakeReadyAsync(second);
        var spare = await harness.NextStartedAsync();
        spare.Online();
        spare.SpareWaiting();
        Assert.Equal("web", spare.Environment["APP_ROLE"]);

        second.Kill();
        await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting);
        await harness.SyncAsync(first);

        Assert.False(spare.Promoted.IsCompleted, "a spare was promoted for a worker with another fork environment");
        Assert.Empty(harness.LogsOf(ClusterEventIds.SparePromoted));
        Assert.Contains((await harness.SnapshotAsync()).Workers, w => w.Id == spare.Id && w.State == "spare");
    }

    /// <summary>
    /// Verifies that a spare that exits before its app was built turns spares off (logged as a spare boot failure):
    /// a crash is then restarted cold, and no spare is started again.
    /// </summary>
    [Fact]
    public async Task Spare_ExitsBeforeWaiting_TurnsSparesOff_CrashesRestartCold()
    {
        await using var harness = new SupervisorHarness(o => o.HotSpares = 1);
        var keeper = await harness.ForkAsync();
        var crasher = await harness.ForkAsync();
        await harness.MakeReadyAsync(keeper);
        await harness.MakeReadyAsync(crasher);
        var spare = await harness.NextStartedAsync();
        spare.Online();

        spare.Kill();
        var failed = await harness.WaitForLogAsync(ClusterEventIds.SpareBootFailed);
        Assert.Equal(ClusterErrorMessages.SpareBootFailed(spare.Id, spare.Pid, 1, ClusterErrorMessages.DescribeExit(null, "SIGKILL")), failed.Message);

        crasher.Kill();
        await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting);
        await harness.SyncAsync(keeper);
        harness.Time.Advance(TimeSpan.FromMilliseconds(121));
        var replacement = await harness.NextStartedAsync();
        Assert.False(replacement.IsSpare);
        await harness.MakeReadyAsync(replacement);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.AssertNothingStartedAsync(keeper, "a spare started after a spare boot failure");
    }

    /// <summary>Verifies that a spare that does not report waiting within BootTimeout is killed (not before) and turns spares off.</summary>
    [Fact]
    public async Task Spare_NotWaitingWithinBootTimeout_IsKilled_TurnsSparesOff()
    {
        await using var harness = new SupervisorHarness(o =>
        {
            o.HotSpares = 1;
            o.BootTimeout = TimeSpan.FromSeconds(10);
        });
        var worker = await harness.ForkReadyAsync();
        var spare = await harness.NextStartedAsync();
        spare.Online();
        await harness.SyncAsync(spare);

        harness.Time.Advance(TimeSpan.FromSeconds(9));
        await harness.SyncAsync(worker);
        Assert.Empty(harness.LogsOf(ClusterEventIds.SpareBootFailed));

        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var failed = await harness.WaitForLogAsync(ClusterEventIds.SpareBootFailed);
        Assert.Equal(ClusterErrorMessages.SpareBootTimedOut(spare.Id, spare.Pid, 1, TimeSpan.FromSeconds(10)), failed.Message);

        // Killed (SIGKILL): the loop forgets it once it reaped the process.
        var deadline = DateTime.UtcNow + SupervisorHarness.Timeout;
        while ((await harness.SnapshotAsync()).Workers.Any(w => w.Id == spare.Id))
        {
            Assert.True(DateTime.UtcNow < deadline, "the timed-out spare was not killed");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        spare.MarkExited();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.AssertNothingStartedAsync(worker, "a spare started after a spare timed out");
    }

    /// <summary>
    /// Verifies the count of spares dying while waiting: a spare reaching waiting resets it, so with one spare each
    /// death is followed by another spare after InitialBackoff (exactly, no jitter); three spares dying in a row with
    /// no spare reaching waiting in between turn spares off.
    /// </summary>
    [Fact]
    public async Task Spare_DiesWhileWaiting_AnotherFollowsAfterInitialBackoff_ThreeInARowTurnSparesOff()
    {
        await using var harness = new SupervisorHarness(o => o.HotSpares = 1);
        var worker = await harness.ForkReadyAsync();
        for (var death = 1; death <= 3; death++)
        {
            var spare = await harness.NextStartedAsync();
            spare.SpareWaiting();
            await harness.WaitForLogAsync(ClusterEventIds.SpareWaiting, death);
            spare.Kill();
            await harness.WaitForLogAsync(ClusterEventIds.SpareExited, death);
            await harness.SyncAsync(worker);

            harness.Time.Advance(TimeSpan.FromMilliseconds(99));
            await harness.AssertNothingStartedAsync(worker, "the next spare started before InitialBackoff");
            harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True((await harness.NextStartedAsync()).IsSpare, "spares stopped after deaths that each followed a spare reaching waiting");

        await using var three = new SupervisorHarness(o => o.HotSpares = 3);
        var keeper = await three.ForkReadyAsync();
        var spares = new[] { await three.NextStartedAsync(), await three.NextStartedAsync(), await three.NextStartedAsync() };
        foreach (var spare in spares)
        {
            spare.SpareWaiting();
        }

        await three.WaitForLogAsync(ClusterEventIds.SpareWaiting, 3);
        foreach (var spare in spares)
        {
            spare.Kill();
        }

        var third = await three.WaitForLogAsync(ClusterEventIds.SpareExited, 3);
        Assert.EndsWith("(3 spares in a row died while waiting; no more spares until the next successful reload)", third.Message, StringComparison.Ordinal);
        three.Time.Advance(TimeSpan.FromMinutes(1));
        await three.AssertNothingStartedAsync(keeper, "a spare started after three died in a row");
    }

    /// <summary>
    /// Verifies that a reload asks the old generation's spare to stop (it runs the old program) and does not promote
    /// it; the next spare, of the new generation, starts only SpareQuietAfterReload (5 s) after the reload ended.
    /// </summary>
    [Fact]
    public async Task Spare_Reload_StopsTheOldSpare_NextSpareOnlyAfterTheQuietPeriod()
    {
        await using var harness = new SupervisorHarness(o => o.HotSpares = 1);
        var worker = await harness.ForkReadyAsync();
        var spare = await harness.NextStartedAsync();
        spare.Online();
        spare.SpareWaiting();
        await harness.WaitForLogAsync(ClusterEventIds.SpareWaiting);

        var reload = harness.Supervisor.ReloadAsync();
        await spare.StopReceived.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(new StopMessage(0), spare.ReceivedStop);
        var successor = await harness.NextStartedAsync();
        Assert.False(successor.IsSpare);
        Assert.Equal(2, successor.Generation);
        Assert.False(spare.Promoted.IsCompleted);
        await harness.MakeReadyAsync(successor);
        Assert.True((await reload.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken)).Succeeded);

        harness.Time.Advance(TimeSpan.FromSeconds(4.9));
        await harness.AssertNothingStartedAsync(successor, "a spare started within SpareQuietAfterReload of the reload");
        harness.Time.Advance(TimeSpan.FromSeconds(0.2));
        var next = await harness.NextStartedAsync();
        Assert.True(next.IsSpare);
        Assert.Equal(2, next.Generation);
        Assert.False(worker.Promoted.IsCompleted);
    }
}
