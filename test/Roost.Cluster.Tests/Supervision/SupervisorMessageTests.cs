using System.Collections.Concurrent;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>User messages from a worker on the primary when application handlers throw (stand-in workers, no app).</summary>
public sealed class SupervisorMessageTests
{
    /// <summary>
    /// Verifies that a throwing Cluster.MessageReceived handler and a throwing ClusterWorker.MessageReceived handler are
    /// each logged (Error, event 2039) naming the event, the worker's id, pid and generation and the exception; the
    /// handlers after them still get the message, and the next message is delivered (the channel and the loop go on).
    /// </summary>
    [Fact]
    public async Task Supervisor_MessageHandlerThrows_IsLoggedWithTheWorker_OthersAndLaterMessagesAreDelivered()
    {
        await using var harness = new SupervisorHarness();
        var standIn = await harness.ForkReadyAsync();
        var worker = harness.Supervisor.Workers[standIn.Id];
        var clusterSeen = new ConcurrentQueue<string>();
        var workerSeen = new ConcurrentQueue<string>();
        harness.Supervisor.MessageReceived += (_, e) => throw new InvalidOperationException("cluster handler failed");
        harness.Supervisor.MessageReceived += (_, e) => clusterSeen.Enqueue(e.Message.GetString()!);
        worker.MessageReceived += (_, e) => throw new InvalidOperationException("worker handler failed");
        worker.MessageReceived += (_, e) => workerSeen.Enqueue(e.Message.GetString()!);

        standIn.SendUserMessage("first");
        standIn.SendUserMessage("second");
        await harness.SyncAsync(standIn);

        // The barrier's own message may still be going through the handlers: look at the first two messages only.
        Assert.Equal(["first", "second"], clusterSeen.Take(2));
        Assert.Equal(["first", "second"], workerSeen.Take(2));
        var failures = harness.LogsOf(ClusterEventIds.MessageHandlerFailed);

        // Per message: the cluster-wide handler, then the worker's.
        Assert.True(failures.Count >= 4, $"{failures.Count} handler failures logged, expected 4 or more");
        Assert.All(failures, f => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, f.Level));
        Assert.Equal(
            $"A Cluster.MessageReceived handler threw on a 'message' from worker {standIn.Id} (pid {standIn.Pid}, generation 1) (payload kind String); the other handlers ran, the channel stays open",
            failures[0].Message);
        Assert.StartsWith($"A ClusterWorker.MessageReceived handler threw on a 'message' from worker {standIn.Id} (pid {standIn.Pid}, generation 1)", failures[1].Message, StringComparison.Ordinal);
        Assert.False(harness.HasExited(standIn));
        Assert.False(harness.Supervisor.Completion.IsCompleted);
    }

    /// <summary>
    /// Verifies that a 'listening' message naming a port outside 0-65535 is dropped with a warning (2202) naming the
    /// worker and the port: the supervisor loop does not fail on it (no 2023), and the worker is not counted as ready;
    /// a valid 'listening' after it still makes the worker ready.
    /// </summary>
    [Fact]
    public async Task Supervisor_ListeningOnPortOutOfRange_IsDroppedNamingThePort_WorkerNotReady()
    {
        await using var harness = new SupervisorHarness();
        var standIn = await harness.ForkAsync();
        standIn.Online();

        standIn.Channel.Send(new ListeningMessage("127.0.0.1", 70000));
        await harness.SyncAsync(standIn);

        var dropped = Assert.Single(harness.LogsOf(ClusterEventIds.IpcInvalidMessage));
        Assert.Equal(
            $"Dropped a 'listening' message from worker {standIn.Id} (pid {standIn.Pid}, generation 1): port 70000 is outside 0-65535; the worker is not counted as listening",
            dropped.Message);
        Assert.Empty(harness.LogsOf(ClusterEventIds.SupervisorEventFailed));
        Assert.False(harness.Supervisor.Workers[standIn.Id].IsListening);

        await harness.MakeReadyAsync(standIn);
        Assert.True(harness.Supervisor.Workers[standIn.Id].IsListening);
    }

    /// <summary>
    /// Verifies that a relative scale by a delta near int.MaxValue (the control protocol accepts any int) is rejected
    /// with the true would-be count, not one that wrapped around to a negative number; by int.MinValue too.
    /// </summary>
    [Fact]
    public async Task Supervisor_ScaleByHugeDelta_IsRejectedWithTheTrueCount()
    {
        await using var harness = new SupervisorHarness();
        await harness.ForkReadyAsync();

        var up = await harness.Supervisor.ScaleAsync(null, int.MaxValue).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
        var down = await harness.Supervisor.ScaleAsync(null, int.MinValue).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ScaleOutcome.Rejected, up.Outcome);
        Assert.Equal("Cannot scale by +2147483647: 1 worker(s) now would become 2147483648, but the count must be between 1 and 1024.", up.Message);
        Assert.Equal(1, up.Workers);
        Assert.Equal(ScaleOutcome.Rejected, down.Outcome);
        Assert.Equal("Cannot scale by -2147483648: 1 worker(s) now would become -2147483647, but the count must be between 1 and 1024.", down.Message);
    }

    /// <summary>Verifies that EventInvoker runs every subscriber when some throw, then rethrows one failure as it was and several as an AggregateException.</summary>
    [Fact]
    public void InvokeEach_SubscribersThrow_AllRunThenTheFailuresAreRethrown()
    {
        var ran = new List<int>();
        EventHandler<EventArgs>? handlers = null;
        handlers += (_, _) => ran.Add(1);
        handlers += (_, _) => throw new InvalidOperationException("one");
        handlers += (_, _) => ran.Add(3);

        var single = Assert.Throws<InvalidOperationException>(() => EventInvoker.InvokeEach(handlers, null, EventArgs.Empty));
        Assert.Equal("one", single.Message);
        Assert.Equal([1, 3], ran);

        handlers += (_, _) => throw new ArgumentException("two");
        var both = Assert.Throws<AggregateException>(() => EventInvoker.InvokeEach(handlers, null, EventArgs.Empty));
        Assert.Equal(["one", "two"], both.InnerExceptions.Select(e => e.Message));
        EventInvoker.InvokeEach<EventArgs>(null, null, EventArgs.Empty);
    }
}
