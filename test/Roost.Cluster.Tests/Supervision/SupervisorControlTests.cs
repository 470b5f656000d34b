using Roost.Control;
using Roost.Testing;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The control socket as the supervisor serves it (Supervisor.Control.cs, <c>ControlSessions</c>), with the public
/// <see cref="ControlClient"/> on a real socket and stand-in workers: the status names the instance, and every
/// <c>stop</c> session, also one that came while the cluster was already stopping, gets the exit code at the end.
/// </summary>
public sealed class SupervisorControlTests
{
    /// <summary>
    /// Verifies that the status reports the instance's name, pid and worker, and that two stop requests (the second
    /// while the first drains) both end with "stopped" and exit code 0 once the draining worker exited, not before.
    /// </summary>
    [Fact]
    public async Task Stop_TwoStopSessions_BothGetTheExitCodeWhenTheClusterStopped()
    {
        using var directory = new TempDirectory();
        await using var harness = new SupervisorHarness(o =>
        {
            o.ControlSocket = true;
            o.Name = "harness";
            o.RunDirectory = directory.Path;
        });
        var worker = await harness.ForkReadyAsync();
        worker.ExitOnStop = false;
        var client = new ControlClient(directory.Path);
        var cancel = TestContext.Current.CancellationToken;

        var status = await client.GetStatusAsync(cancel).WaitAsync(SupervisorHarness.Timeout, cancel);
        Assert.Equal(("harness", Environment.ProcessId, "running"), (status.Name, status.Pid, status.State));

        var firstAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = client.StopAsync(null, _ => firstAnswered.TrySetResult(), cancel);
        await worker.StopReceived.WaitAsync(SupervisorHarness.Timeout, cancel);
        await firstAnswered.Task.WaitAsync(SupervisorHarness.Timeout, cancel);
        var second = client.StopAsync(null, _ => secondAnswered.TrySetResult(), cancel);
        await secondAnswered.Task.WaitAsync(SupervisorHarness.Timeout, cancel);
        await harness.SyncAsync(worker);
        Assert.False(first.IsCompleted || second.IsCompleted, "a stop session ended before the cluster stopped");

        worker.Kill();
        foreach (var stop in new[] { first, second })
        {
            var result = await stop.WaitAsync(SupervisorHarness.Timeout, cancel);
            Assert.Equal(("stop", "stopped", true, (int?)0), (result.Operation, result.Outcome, result.Succeeded, result.ExitCode));
        }
    }
}
