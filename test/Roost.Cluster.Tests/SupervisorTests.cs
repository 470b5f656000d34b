using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests;

/// <summary>Supervisor helpers that need no process: exit classification as Node reports it.</summary>
public sealed class SupervisorTests
{
    [Theory]
    [InlineData(0, 0, null)]
    [InlineData(1, 1, null)]
    [InlineData(3, 3, null)]
    [InlineData(137, null, "SIGKILL")]
    [InlineData(143, null, "SIGTERM")]
    [InlineData(134, null, "SIGABRT")]
    [InlineData(255, 255, null)]
    public void Classify_ExitCode_MapsSignalsLikeNode(int raw, int? code, string? signal)
    {
        Assert.Equal((code, signal), Supervisor.Classify(raw));
    }

    // Verifies: a Fork after the cluster stopped starts nothing and returns a worker that is already dead (no
    // exception: a fork loop racing a stop or a boot failure must not crash the program with SIGABRT), and the
    // cluster's exit code stays what it was.
    [Fact]
    public async Task Stop_WithoutWorkers_CompletesWithZero_ThenForkReturnsADeadWorker()
    {
        var supervisor = new Supervisor(new ClusterOptions());

        supervisor.RequestStop();
        var code = await supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var late = supervisor.Fork(null);

        Assert.Equal(0, code);
        Assert.Equal((true, false, 0), (late.IsDead, late.IsConnected, late.Pid));
        Assert.False(late.Send("hello"));
        Assert.Empty(supervisor.Workers);
    }

    [Fact]
    public void ClusterOptions_Defaults_MatchTheDesign()
    {
        var options = new ClusterOptions();

        Assert.False(options.RespawnWorkers);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.InitialBackoff);
        Assert.Equal(2, options.BackoffMultiplier);
        Assert.Equal(TimeSpan.FromSeconds(15), options.MaxBackoff);
        Assert.Equal(10, options.MaxCrashes);
        Assert.Equal(TimeSpan.FromSeconds(60), options.CrashWindow);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HeartbeatInterval);
        Assert.Equal(3, options.MissedHeartbeats);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
        Assert.Equal(ListenerSharingMode.Auto, options.ListenerSharing);
    }

    [Fact]
    public void ClusterOptions_OutOfRange_IsReportedNamingTheSetting()
    {
        var options = new ClusterOptions { MaxCrashes = 0 };

        var ex = Assert.Throws<InvalidOptionsException>(options.Validate);
        Assert.Equal("ClusterOptions.MaxCrashes must be at least 1; got 0.", ex.Message);
        Assert.Throws<InvalidOptionsException>(new ClusterOptions { BackoffJitter = 1.5 }.Validate);
        Assert.Throws<InvalidOptionsException>(new ClusterOptions { HeartbeatInterval = TimeSpan.Zero }.Validate);
    }

    // Verifies: three mistakes (in the main settings, recycling and the admin listener) are one exception with three
    // lines, each naming the setting and the value seen, in declaration order.
    [Fact]
    public void ClusterOptions_ThreeMistakes_OneExceptionWithThreeLines()
    {
        var options = new ClusterOptions { BackoffJitter = 1.5, RecycleAfterRequests = 0 };
        options.Admin.EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);

        var ex = Assert.Throws<InvalidOptionsException>(options.Validate);

        Assert.Equal(3, ex.Problems.Count);
        Assert.Equal(ex.Problems, ex.Message.Split(Environment.NewLine));
        Assert.Equal("ClusterOptions.BackoffJitter must be between 0 and 1; got 1.5.", ex.Problems[0]);
        Assert.Equal("ClusterOptions.RecycleAfterRequests must be at least 1 (or null: off); got 0.", ex.Problems[1]);
        Assert.StartsWith("The admin listener '0.0.0.0:0' is not a loopback address and has no token", ex.Problems[2], StringComparison.Ordinal);
    }
}
