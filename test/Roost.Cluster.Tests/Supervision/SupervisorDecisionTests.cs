using System.Diagnostics;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The supervisor's decisions, run for real on a fake clock: the production loop, restart policy, timers and kills,
/// with stand-in worker processes (<c>sleep</c>) that the test drives through the worker's end of the IPC channel.
/// What the real-process integration tests cover only slowly (backoff growth, the crash window, heartbeat and drain
/// timing) runs here in well under a second of clock time per case.
/// </summary>
public sealed class SupervisorDecisionTests
{
    /// <summary>Verifies that consecutive crashes of a worker that had become ready are respawned after 100, 200, 400, 800 ms ± 20 %, and not a millisecond earlier.</summary>
    [Fact]
    public async Task Supervisor_CrashesInARow_RespawnsAfterGrowingJitteredBackoff()
    {
        await using var harness = new SupervisorHarness(o => o.MaxCrashes = 100);
        var keeper = await harness.ForkReadyAsync();
        var crasher = await harness.ForkReadyAsync();

        for (var crash = 1; crash <= 4; crash++)
        {
            var baseDelay = 100 * Math.Pow(2, crash - 1);
            var (delay, crashes) = await CrashAsync(harness, crasher, keeper, crash);
            Assert.InRange(delay, (long)(baseDelay * 0.8), (long)(baseDelay * 1.2));
            Assert.Equal(crash, crashes);

            crasher = await RespawnAfterAsync(harness, keeper, delay);
            await harness.MakeReadyAsync(crasher);
        }
    }

    /// <summary>Verifies that the MaxCrashes-th crash inside CrashWindow stops the cluster with exit code 7 and the documented message, and that nothing is respawned after it.</summary>
    [Fact]
    public async Task Supervisor_MaxCrashesWithinTheWindow_GivesUpWithTheCrashLoopExitCode()
    {
        await using var harness = new SupervisorHarness(o =>
        {
            o.MaxCrashes = 3;
            o.CrashWindow = TimeSpan.FromSeconds(60);
        });
        var keeper = await harness.ForkReadyAsync();
        var crasher = await harness.ForkReadyAsync();

        for (var crash = 1; crash <= 2; crash++)
        {
            var (delay, _) = await CrashAsync(harness, crasher, keeper, crash);
            crasher = await RespawnAfterAsync(harness, keeper, delay);
            await harness.MakeReadyAsync(crasher);
        }

        crasher.Kill();
        var code = await harness.Supervisor.Completion.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ClusterExitCodes.WorkersCrashLooping, code);
        Assert.Equal(ClusterErrorMessages.CrashLoop(3, TimeSpan.FromSeconds(60)), Assert.Single(harness.LogsOf(ClusterEventIds.CrashLoop)).Message);
        Assert.True(keeper.StopReceived.IsCompleted, "the surviving worker was not asked to stop");
        Assert.Equal(4, harness.Launcher.StartCount);
        Assert.Equal(2, harness.LogsOf(ClusterEventIds.WorkerRestarting).Count);
    }

    /// <summary>Verifies that a worker that exits before it listened is a boot failure: the cluster stops with exit code 3 and the message naming the worker, and no worker is started again.</summary>
    [Fact]
    public async Task Supervisor_WorkerExitsBeforeReady_StopsWithBootFailedAndNoRespawn()
    {
        await using var harness = new SupervisorHarness(o => o.WorkerStartInfo = () => new ProcessStartInfo("sh", ["-c", "exit 1"]));

        var worker = await harness.ForkAsync();
        var code = await harness.Supervisor.Completion.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ClusterExitCodes.WorkerBootFailed, code);
        var exit = await harness.ExitedAsync(worker);
        Assert.Equal(1, exit.ExitCode);
        Assert.Equal(
            ClusterErrorMessages.WorkerBootFailed(worker.Id, worker.Pid, worker.Generation, 1, null),
            Assert.Single(harness.LogsOf(ClusterEventIds.WorkerBootFailed)).Message);
        Assert.Equal(1, harness.Launcher.StartCount);
        Assert.Empty(harness.LogsOf(ClusterEventIds.WorkerRestarting));
    }

    /// <summary>Verifies that a worker that never listens is killed when BootTimeout passes, which is a boot failure (exit code 3).</summary>
    [Fact]
    public async Task Supervisor_WorkerNeverListens_IsKilledAtTheBootTimeoutAsABootFailure()
    {
        await using var harness = new SupervisorHarness(o => o.BootTimeout = TimeSpan.FromSeconds(10));
        var worker = await harness.ForkAsync();
        worker.Online();
        await harness.SyncAsync(worker);

        harness.Time.Advance(TimeSpan.FromSeconds(9));
        await harness.SyncAsync(worker);
        Assert.False(harness.HasExited(worker), "killed before the boot timeout");

        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var exit = await harness.ExitedAsync(worker);
        var code = await harness.Supervisor.Completion.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal("SIGKILL", exit.Signal);
        Assert.Equal(ClusterExitCodes.WorkerBootFailed, code);
        Assert.Contains(
            ClusterErrorMessages.WorkerBootTimedOut(worker.Id, worker.Pid, worker.Generation, TimeSpan.FromSeconds(10)),
            harness.LogsOf(ClusterEventIds.WorkerBootFailed).Select(e => e.Message));
        Assert.Equal(1, harness.Launcher.StartCount);
    }

    /// <summary>Verifies that a ready worker lives while it sends heartbeats, survives exactly MissedHeartbeats silent intervals, is killed (SIGKILL) after more, and is then respawned.</summary>
    [Fact]
    public async Task Supervisor_ReadyWorkerMissesHeartbeats_IsKilledAndRespawned()
    {
        await using var harness = new SupervisorHarness(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
            o.MissedHeartbeats = 3;
        });
        var keeper = await harness.ForkReadyAsync();
        var worker = await harness.ForkReadyAsync();

        // Ten intervals with heartbeats: nobody is killed.
        for (var i = 0; i < 10; i++)
        {
            await HeartbeatAsync(harness, worker);
            await HeartbeatAsync(harness, keeper);
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        // Then the worker falls silent: 3 s of silence is the limit, more is a kill.
        await HeartbeatAsync(harness, worker);
        for (var i = 0; i < 3; i++)
        {
            await HeartbeatAsync(harness, keeper);
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await HeartbeatAsync(harness, keeper);
        Assert.False(harness.HasExited(worker), "killed after only MissedHeartbeats × HeartbeatInterval of silence");
        Assert.Empty(harness.LogsOf(ClusterEventIds.HeartbeatMissed));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var exit = await harness.ExitedAsync(worker);

        Assert.Equal("SIGKILL", exit.Signal);
        Assert.False(exit.Worker.ExitedAfterDisconnect);
        var missed = Assert.Single(harness.LogsOf(ClusterEventIds.HeartbeatMissed));
        Assert.Contains($"worker {worker.Id} (pid {worker.Pid}, generation 1) sent no heartbeat for 4000 ms", missed.Message, StringComparison.Ordinal);
        Assert.False(harness.HasExited(keeper));

        // It had lived past MinUptime: a restart after the initial backoff (100 ms ± 20 %).
        var restarting = await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting);
        await harness.SyncAsync(keeper);
        await RespawnAfterAsync(harness, keeper, DelayOf(restarting));
    }

    /// <summary>
    /// Verifies that a worker draining after a rolling reload is not killed for missing heartbeats (it may be busy
    /// finishing requests), but is killed when DrainTimeout + 5 s have passed, and is not respawned.
    /// </summary>
    [Fact]
    public async Task Supervisor_DrainingWorkerFallsSilent_IsKilledOnlyAtItsDrainDeadline()
    {
        await using var harness = new SupervisorHarness(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
            o.MissedHeartbeats = 3;
            o.DrainTimeout = TimeSpan.FromSeconds(10);
        });
        var old = await harness.ForkReadyAsync();
        old.ExitOnStop = false;

        var reload = harness.Supervisor.ReloadAsync();
        var successor = await harness.Launcher.NextAsync(SupervisorHarness.Timeout);
        await harness.MakeReadyAsync(successor);
        await old.StopReceived.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        Assert.True((await reload.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken)).Succeeded);

        // 14 s of silence from the draining worker (limit for a serving one: 3 s); its deadline is at 15 s.
        for (var i = 0; i < 14; i++)
        {
            await HeartbeatAsync(harness, successor);
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await HeartbeatAsync(harness, successor);
        Assert.False(harness.HasExited(old), "a draining worker was killed before its drain deadline");
        Assert.Empty(harness.LogsOf(ClusterEventIds.HeartbeatMissed));
        Assert.Empty(harness.LogsOf(ClusterEventIds.DrainDeadline));

        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var exit = await harness.ExitedAsync(old);

        Assert.Equal("SIGKILL", exit.Signal);
        Assert.True(exit.Worker.ExitedAfterDisconnect);
        Assert.Contains($"worker {old.Id} (pid {old.Pid}, generation 1) did not finish draining in time", Assert.Single(harness.LogsOf(ClusterEventIds.DrainDeadline)).Message, StringComparison.Ordinal);
        Assert.Empty(harness.LogsOf(ClusterEventIds.HeartbeatMissed));
        await HeartbeatAsync(harness, successor);
        Assert.Equal(2, harness.Launcher.StartCount);
        Assert.False(harness.HasExited(successor));
    }

    private static async Task<(long Delay, int CrashesInWindow)> CrashAsync(SupervisorHarness harness, StandInWorker crasher, StandInWorker keeper, int crash)
    {
        crasher.Kill();
        var exit = await harness.ExitedAsync(crasher);
        Assert.Equal("SIGKILL", exit.Signal);
        var restarting = await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting, crash);

        // The loop logs, then starts the backoff timer in the same step: after this barrier the timer exists.
        await harness.SyncAsync(keeper);
        return (DelayOf(restarting), (int)restarting.Properties.Single(p => p.Key == "CrashesInWindow").Value!);
    }

    /// <summary>Advances the clock to just before <paramref name="delay"/> (nothing starts), then past it (the replacement starts).</summary>
    private static async Task<StandInWorker> RespawnAfterAsync(SupervisorHarness harness, StandInWorker keeper, long delay)
    {
        var started = harness.Launcher.StartCount;

        // The logged delay is truncated to whole milliseconds: the timer is due in [delay, delay + 1) ms.
        harness.Time.Advance(TimeSpan.FromMilliseconds(delay - 1));
        await harness.SyncAsync(keeper);
        Assert.Equal(started, harness.Launcher.StartCount);

        harness.Time.Advance(TimeSpan.FromMilliseconds(2));
        return await harness.Launcher.NextAsync(SupervisorHarness.Timeout);
    }

    private static async Task HeartbeatAsync(SupervisorHarness harness, StandInWorker worker)
    {
        // Sync after each heartbeat so the next clock step cannot overtake it in the loop's queue.
        worker.Heartbeat();
        await harness.SyncAsync(worker);
    }

    private static long DelayOf(Roost.Testing.CapturingLoggerProvider.LogEntry restarting) =>
        (long)restarting.Properties.Single(p => p.Key == "DelayMilliseconds").Value!;
}
