using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Interop;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The live-scale decisions of the supervisor (Supervisor.Scale.cs, <c>ScaleOperation</c>), run for real on a fake
/// clock with stand-in workers: which slots a scale up fills, which workers a scale down drains, when the result is
/// given, and how a scale meets a reload, another scale, a dying new worker and a pending respawn.
/// </summary>
public sealed class SupervisorScaleTests
{
    /// <summary>
    /// Verifies that a scale up forks the new workers at once in the lowest free slots, with the current generation and
    /// the fork environment of the lowest-slot worker; that the target counts them at once but the result waits until
    /// every new worker is ready, then reports Scaled with the previous and new counts.
    /// </summary>
    [Fact]
    public async Task ScaleUp_ForksIntoTheLowestFreeSlots_AndCompletesWhenAllAreReady()
    {
        await using var harness = new SupervisorHarness();
        var first = await harness.ForkReadyAsync(new Dictionary<string, string?> { ["APP_ROLE"] = "first" });
        var second = await harness.ForkReadyAsync(new Dictionary<string, string?> { ["APP_ROLE"] = "second" });
        var progress = new List<ControlResponse>();

        var scale = harness.Supervisor.ScaleAsync(4, null, r =>
        {
            lock (progress)
            {
                progress.Add(r);
            }
        });
        var added = new[] { await harness.NextStartedAsync(), await harness.NextStartedAsync() };
        await harness.AssertNothingStartedAsync(first, "a scale from 2 to 4 started more than 2 workers");

        Assert.All(added, w => Assert.Equal(1, w.Generation));
        Assert.All(added, w => Assert.Equal("first", w.Environment["APP_ROLE"]));
        var snapshot = await harness.SnapshotAsync();
        Assert.Equal(4, snapshot.TargetWorkers);
        Assert.Equal("scale", snapshot.Operation);
        Assert.Equal([(0, "ready"), (1, "ready"), (2, "starting"), (3, "starting")], snapshot.Workers.Select(w => (w.Slot!.Value, w.State)));
        Assert.Equal([first.Id, second.Id, added[0].Id, added[1].Id], snapshot.Workers.Select(w => w.Id));

        await harness.MakeReadyAsync(added[0]);
        await harness.SyncAsync(first);
        Assert.False(scale.IsCompleted, "the scale completed before every new worker was ready");

        await harness.MakeReadyAsync(added[1]);
        var result = await scale.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Scaled, result.Outcome);
        Assert.Equal((2, 4, 2, 0), (result.Previous, result.Workers, result.Started, result.Drained));
        Assert.Null((await harness.SnapshotAsync()).Operation);
        lock (progress)
        {
            Assert.Equal(["forked", "forked", "ready", "ready"], progress.OfType<ControlResponse.Progress>().Select(p => p.Event));
            Assert.Contains("in slot 2", ((ControlResponse.Progress)progress[0]).Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Verifies that a scale down drains the workers in the highest slots (a stop with SlotRemoved, never a kill),
    /// leaves the others alone, does not respawn the drained ones, and completes only once they have exited.
    /// </summary>
    [Fact]
    public async Task ScaleDown_DrainsTheHighestSlots_AndCompletesWhenTheyExited()
    {
        await using var harness = new SupervisorHarness(o => o.DrainTimeout = TimeSpan.FromSeconds(7));
        var workers = new List<StandInWorker>();
        for (var i = 0; i < 4; i++)
        {
            var worker = await harness.ForkReadyAsync();
            worker.ExitOnStop = false;
            workers.Add(worker);
        }

        var scale = harness.Supervisor.ScaleAsync(null, -2);
        await Task.WhenAll(workers[2].StopReceived, workers[3].StopReceived).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        await harness.SyncAsync(workers[0]);

        Assert.All(workers[2..], w => Assert.Equal(new Roost.Clustering.Internal.Ipc.StopMessage(7000, SlotRemoved: true), w.ReceivedStop));
        Assert.All(workers[..2], w => Assert.False(w.StopReceived.IsCompleted, $"worker {w.Id} in a kept slot was asked to stop"));
        Assert.False(scale.IsCompleted, "the scale completed before the drained workers exited");
        var snapshot = await harness.SnapshotAsync();
        Assert.Equal(2, snapshot.TargetWorkers);
        Assert.Equal([(0, "ready"), (1, "ready"), (2, "draining"), (3, "draining")], snapshot.Workers.Select(w => (w.Slot!.Value, w.State)));

        workers[3].Kill(Libc.SigTerm);
        await harness.ExitedAsync(workers[3]);
        await harness.SyncAsync(workers[0]);
        Assert.False(scale.IsCompleted, "the scale completed with a drained worker still running");

        workers[2].Kill(Libc.SigTerm);
        var result = await scale.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Scaled, result.Outcome);
        Assert.Equal((4, 2, 0, 2), (result.Previous, result.Workers, result.Started, result.Drained));
        Assert.True((await harness.ExitedAsync(workers[2])).Worker.ExitedAfterDisconnect);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.AssertNothingStartedAsync(workers[0], "a worker drained by a scale down was respawned");
        Assert.Empty(harness.LogsOf(ClusterEventIds.WorkerRestarting));
        Assert.Equal(2, harness.Supervisor.Workers.Count);
    }

    /// <summary>Verifies that scaling to the count that runs now is Unchanged and starts or stops nothing.</summary>
    [Fact]
    public async Task Scale_ToTheCurrentCount_IsUnchanged()
    {
        await using var harness = new SupervisorHarness();
        var worker = await harness.ForkReadyAsync();
        await harness.ForkReadyAsync();

        var result = await harness.Supervisor.ScaleAsync(2, null).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Unchanged, result.Outcome);
        Assert.True(result.Succeeded);
        Assert.Equal((2, 2), (result.Previous, result.Workers));
        await harness.AssertNothingStartedAsync(worker, "an unchanged scale started a worker");
        Assert.Empty(harness.LogsOf(ClusterEventIds.ScaleStarted));
    }

    /// <summary>
    /// Verifies that a scale asked for while a rolling reload runs is refused as Busy naming the reload (nothing is
    /// queued: the reload then completes alone), and that one asked for while another scale runs is refused naming it.
    /// </summary>
    [Fact]
    public async Task Scale_DuringAReloadOrAnotherScale_IsBusyAndNotQueued()
    {
        await using var harness = new SupervisorHarness();
        var worker = await harness.ForkReadyAsync();

        var reload = harness.Supervisor.ReloadAsync();
        var successor = await harness.NextStartedAsync();
        var duringReload = await harness.Supervisor.ScaleAsync(3, null).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Busy, duringReload.Outcome);
        Assert.Equal(ClusterErrorMessages.Busy("rolling reload (to generation 2)", "scale"), duringReload.Message);
        Assert.Equal((1, 1), (duringReload.Previous, duringReload.Workers));
        await harness.MakeReadyAsync(successor);
        Assert.True((await reload.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken)).Succeeded);
        await harness.AssertNothingStartedAsync(successor, "a scale refused during a reload ran after it");

        var scale = harness.Supervisor.ScaleAsync(2, null);
        var added = await harness.NextStartedAsync();
        var duringScale = await harness.Supervisor.ScaleAsync(1, null).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Busy, duringScale.Outcome);
        Assert.Equal(ClusterErrorMessages.Busy("scale (to 2 workers)", "scale"), duringScale.Message);
        await harness.MakeReadyAsync(added);
        Assert.Equal(ScaleOutcome.Scaled, (await scale.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken)).Outcome);
        await harness.SyncAsync(successor);
        Assert.All((await harness.SnapshotAsync()).Workers.Where(w => w.Id == added.Id || w.Id == successor.Id), w => Assert.Equal("ready", w.State));
        Assert.False(added.StopReceived.IsCompleted || successor.StopReceived.IsCompleted, "the refused scale down ran");
    }

    /// <summary>
    /// Verifies that a reload asked for while a scale runs is not refused but waits (logged as deferred): nothing of the
    /// new generation starts until the scale is done, then the reload replaces every worker, the scaled ones included.
    /// </summary>
    [Fact]
    public async Task Reload_DuringAScale_WaitsForItThenReplacesEveryWorker()
    {
        await using var harness = new SupervisorHarness();
        var worker = await harness.ForkReadyAsync();
        var scale = harness.Supervisor.ScaleAsync(2, null);
        var added = await harness.NextStartedAsync();

        var reload = harness.Supervisor.ReloadAsync();
        await harness.WaitForLogAsync(ClusterEventIds.ReloadDeferredByScale);
        await harness.AssertNothingStartedAsync(worker, "a reload started while a scale ran");
        Assert.False(reload.IsCompleted);

        await harness.MakeReadyAsync(added);
        Assert.Equal(ScaleOutcome.Scaled, (await scale.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken)).Outcome);
        for (var i = 0; i < 2; i++)
        {
            var successor = await harness.NextStartedAsync();
            Assert.Equal(2, successor.Generation);
            await harness.MakeReadyAsync(successor);
        }

        var result = await reload.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(2, result.Replaced);
        await Task.WhenAll(worker.StopReceived, added.StopReceived).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Verifies that reloads asked for while a reload runs are queued, not refused: they become one more reload that
    /// starts when the running one ends (and replaces its successors), and every caller gets that reload's result.
    /// </summary>
    [Fact]
    public async Task Reload_DuringAReload_RunsOnceAfterIt_EveryCallerGetsItsResult()
    {
        await using var harness = new SupervisorHarness();
        var worker = await harness.ForkReadyAsync();
        var first = harness.Supervisor.ReloadAsync();
        var successor = await harness.NextStartedAsync();

        var second = harness.Supervisor.ReloadAsync();
        var third = harness.Supervisor.ReloadAsync();
        await harness.WaitForLogAsync(ClusterEventIds.ReloadQueued, 2);
        await harness.AssertNothingStartedAsync(worker, "a queued reload started beside the running one");

        await harness.MakeReadyAsync(successor);
        var firstResult = await first.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.True(firstResult.Succeeded, firstResult.Message);
        Assert.Equal(2, firstResult.Generation);
        var next = await harness.NextStartedAsync();
        Assert.Equal(3, next.Generation);
        Assert.False(second.IsCompleted || third.IsCompleted, "a queued reload's caller was answered before it ran");

        await harness.MakeReadyAsync(next);
        var results = await Task.WhenAll(second, third).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.True(r.Succeeded && r.Generation == 3, r.Message));
        await successor.StopReceived.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        await harness.AssertNothingStartedAsync(next, "more than one reload ran for the queued requests");
    }

    /// <summary>
    /// Verifies that a new worker of a scale up that exits before it is ready fails the scale naming it, is not
    /// restarted, and is not a boot failure of the cluster: the new worker that became ready stays and the cluster runs.
    /// </summary>
    [Fact]
    public async Task ScaleUp_NewWorkerExitsBeforeReady_FailsTheScale_NoRestart_ClusterRuns()
    {
        await using var harness = new SupervisorHarness();
        var worker = await harness.ForkReadyAsync();
        var scale = harness.Supervisor.ScaleAsync(3, null);
        var ready = await harness.NextStartedAsync();
        var dying = await harness.NextStartedAsync();
        await harness.MakeReadyAsync(ready);

        dying.Kill();
        var exit = await harness.ExitedAsync(dying);
        var result = await scale.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Failed, result.Outcome);
        Assert.Equal(ClusterErrorMessages.ScaleWorkerExited(dying.Id, dying.Pid, 1, ClusterErrorMessages.DescribeExit(exit.ExitCode, exit.Signal)), result.Message);
        Assert.Equal((1, 2, 1), (result.Previous, result.Workers, result.Started));
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.AssertNothingStartedAsync(worker, "the failed scale's worker was restarted");
        Assert.Empty(harness.LogsOf(ClusterEventIds.WorkerRestarting));
        Assert.Empty(harness.LogsOf(ClusterEventIds.WorkerBootFailed));
        Assert.False(harness.Supervisor.Completion.IsCompleted, "a scale's new worker dying stopped the cluster");
        Assert.Equal([worker.Id, ready.Id], harness.Supervisor.Workers.Keys.Order());
    }

    /// <summary>
    /// Verifies that a slot waiting for a respawn counts as a worker (the current count a relative scale starts from),
    /// and that a scale down that removes that slot cancels its respawn: done at once, nothing drained, nothing started.
    /// </summary>
    [Fact]
    public async Task ScaleDown_RemovingASlotWaitingForRespawn_CancelsTheRespawn()
    {
        await using var harness = new SupervisorHarness();
        var keeper = await harness.ForkReadyAsync();
        await harness.ForkReadyAsync();
        var crasher = await harness.ForkReadyAsync();
        crasher.Kill();
        await harness.ExitedAsync(crasher);
        await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting);
        await harness.SyncAsync(keeper);

        var result = await harness.Supervisor.ScaleAsync(null, -1).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Scaled, result.Outcome);
        Assert.Equal((3, 2, 0, 0), (result.Previous, result.Workers, result.Started, result.Drained));
        Assert.False(keeper.StopReceived.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.AssertNothingStartedAsync(keeper, "the respawn of a slot removed by a scale down still ran");
        Assert.Equal(2, (await harness.SnapshotAsync()).TargetWorkers);
    }

    /// <summary>Verifies that a scale asked for while the cluster stops fails with the not-running message and starts nothing.</summary>
    [Fact]
    public async Task Scale_WhileStopping_Fails()
    {
        await using var harness = new SupervisorHarness();
        var worker = await harness.ForkReadyAsync();
        worker.ExitOnStop = false;
        harness.Supervisor.RequestStop();
        await worker.StopReceived.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        var result = await harness.Supervisor.ScaleAsync(2, null).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Failed, result.Outcome);
        Assert.Equal(ClusterErrorMessages.ScaleNotRunning(), result.Message);
        Assert.Equal(1, harness.Launcher.StartCount);
    }
}
