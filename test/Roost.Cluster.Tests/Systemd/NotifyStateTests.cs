using Roost.Clustering.Internal.Systemd;

namespace Roost.Cluster.Tests.Systemd;

/// <summary>NotifyState: the datagrams systemd reads and the STATUS= lines systemctl status shows.</summary>
public sealed class NotifyStateTests
{
    [Fact]
    public void Datagrams_AreNewlineSeparatedAssignments()
    {
        Assert.Equal("READY=1\nSTATUS=2 workers ready, generation 1", NotifyState.Ready("2 workers ready, generation 1"));
        Assert.Equal("RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=r", NotifyState.Reloading(123_456_789, "r"));
        Assert.Equal("STOPPING=1\nSTATUS=s", NotifyState.Stopping("s"));
        Assert.Equal("STATUS=x", NotifyState.Status("x"));
        Assert.Equal("WATCHDOG=1", NotifyState.Watchdog);
    }

    [Fact]
    public void StatusLines_ReadAsSentences()
    {
        Assert.Equal("starting", NotifyState.StartingStatus(0, 0));
        Assert.Equal("starting: 0 of 1 worker ready", NotifyState.StartingStatus(0, 1));
        Assert.Equal("starting: 1 of 2 workers ready", NotifyState.StartingStatus(1, 2));
        Assert.Equal("1 worker ready, generation 1", NotifyState.ServingStatus(1, 1, 0, null));
        Assert.Equal("2 workers ready, generation 3", NotifyState.ServingStatus(2, 3, 0, null));
        Assert.Equal("1 worker ready, generation 3, 1 restarting", NotifyState.ServingStatus(1, 3, 1, null));
        Assert.Equal("2 workers ready, generation 1, scaling to 4", NotifyState.ServingStatus(2, 1, 0, 4));
        Assert.Equal("reloading to generation 4: 1 of 2 workers replaced", NotifyState.ReloadingStatus(4, 1, 2));
        Assert.Equal("stopping: 1 worker draining", NotifyState.StoppingStatus(1));
    }
}
