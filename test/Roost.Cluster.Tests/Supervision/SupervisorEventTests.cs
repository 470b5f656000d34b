using System.Collections.Concurrent;
using Roost.Clustering.Internal;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>The primary's lifecycle events when an application handler throws (stand-in workers, no app).</summary>
public sealed class SupervisorEventTests
{
    /// <summary>
    /// Verifies that on every lifecycle event of the primary (fork, online, listening, disconnect, exit; the cluster's
    /// and the worker's own) a throwing first subscriber does not keep the event from the second; each failure is
    /// logged (Error, event 2014) with the event's name and the worker's id, pid and generation; and the supervisor
    /// goes on: the killed worker is respawned and the new one becomes ready.
    /// </summary>
    [Fact]
    public async Task Supervisor_FirstLifecycleSubscriberThrows_SecondStillRuns_LoggedAndTheClusterRespawns()
    {
        await using var harness = new SupervisorHarness();
        var seen = new ConcurrentQueue<string>();
        var supervisor = harness.Supervisor;
        supervisor.WorkerForked += (_, _) => throw new InvalidOperationException("fork handler failed");
        supervisor.WorkerForked += (_, e) => seen.Enqueue($"forked {e.Worker.Id}");
        supervisor.WorkerOnline += (_, _) => throw new InvalidOperationException("online handler failed");
        supervisor.WorkerOnline += (_, e) => seen.Enqueue($"online {e.Worker.Id}");
        supervisor.WorkerListening += (_, _) => throw new InvalidOperationException("listening handler failed");
        supervisor.WorkerListening += (_, e) => seen.Enqueue($"listening {e.Worker.Id}");
        supervisor.WorkerDisconnected += (_, _) => throw new InvalidOperationException("disconnect handler failed");
        supervisor.WorkerDisconnected += (_, e) => seen.Enqueue($"disconnect {e.Worker.Id}");
        supervisor.WorkerExited += (_, _) => throw new InvalidOperationException("exit handler failed");
        supervisor.WorkerExited += (_, e) => seen.Enqueue($"exit {e.Worker.Id}");

        var keeper = await harness.ForkReadyAsync();
        var crasher = await harness.ForkAsync();
        var worker = supervisor.Workers[crasher.Id];
        worker.Online += (_, _) => throw new InvalidOperationException("worker online handler failed");
        worker.Online += (_, e) => seen.Enqueue($"worker-online {e.Worker.Id}");
        worker.Listening += (_, _) => throw new InvalidOperationException("worker listening handler failed");
        worker.Listening += (_, e) => seen.Enqueue($"worker-listening {e.Worker.Id}");
        worker.Disconnected += (_, _) => throw new InvalidOperationException("worker disconnect handler failed");
        worker.Disconnected += (_, e) => seen.Enqueue($"worker-disconnect {e.Worker.Id}");
        worker.Exited += (_, _) => throw new InvalidOperationException("worker exit handler failed");
        worker.Exited += (_, e) => seen.Enqueue($"worker-exit {e.Worker.Id}");
        await harness.MakeReadyAsync(crasher);

        crasher.Kill();
        await harness.ExitedAsync(crasher);
        var restarting = await harness.WaitForLogAsync(ClusterEventIds.WorkerRestarting);
        harness.Time.Advance(TimeSpan.FromMilliseconds((long)restarting.Properties.Single(p => p.Key == "DelayMilliseconds").Value! + 1));
        var replacement = await harness.Launcher.NextAsync(SupervisorHarness.Timeout);
        await harness.MakeReadyAsync(replacement);
        await harness.SyncAsync(keeper);

        string[] expected =
        [
            $"forked {keeper.Id}", $"online {keeper.Id}", $"listening {keeper.Id}",
            $"forked {crasher.Id}", $"online {crasher.Id}", $"worker-online {crasher.Id}", $"listening {crasher.Id}", $"worker-listening {crasher.Id}",
            $"disconnect {crasher.Id}", $"worker-disconnect {crasher.Id}", $"exit {crasher.Id}", $"worker-exit {crasher.Id}",
            $"forked {replacement.Id}", $"online {replacement.Id}", $"listening {replacement.Id}",
        ];
        Assert.True(expected.Order().SequenceEqual(seen.Order()), $"seen: {string.Join(", ", seen)}");

        var failures = harness.LogsOf(ClusterEventIds.EventHandlerFailed);
        Assert.All(failures, f => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, f.Level));
        Assert.Equal(expected.Length, failures.Count);
        Assert.Equal(
            $"A Cluster.WorkerForked handler threw for worker {keeper.Id} (pid {keeper.Pid}, generation 1); the other handlers ran, the supervisor carries on",
            failures[0].Message);
        Assert.Contains(failures, f => f.Message.StartsWith($"A ClusterWorker.Exited handler threw for worker {crasher.Id} (pid {crasher.Pid}, generation 1)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Message.StartsWith($"A Cluster.WorkerDisconnected handler threw for worker {crasher.Id} (pid {crasher.Pid}, generation 1)", StringComparison.Ordinal));
        Assert.False(harness.HasExited(keeper));
        Assert.False(harness.HasExited(replacement));
        Assert.False(supervisor.Completion.IsCompleted);
    }
}
