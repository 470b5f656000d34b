using System.Collections.Concurrent;
using Roost.Internal;

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
