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

    [Fact]
    public async Task Stop_WithoutWorkers_CompletesWithZero_ThenForkThrows()
    {
        var supervisor = new Supervisor(new ClusterOptions());

        supervisor.RequestStop();
        var code = await supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        var ex = Assert.Throws<InvalidOperationException>(() => supervisor.Fork(null));
        Assert.Equal("The cluster has stopped; no more workers can be forked.", ex.Message);
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
    public void ClusterOptions_OutOfRange_ThrowsNamingTheSetting()
    {
        var options = new ClusterOptions();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxCrashes = 0);
        Assert.Equal("value", ex.ParamName);
        Assert.Contains("ClusterOptions.MaxCrashes must be at least 1; got 0.", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BackoffJitter = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.HeartbeatInterval = TimeSpan.Zero);
    }
}
