using Microsoft.Extensions.Time.Testing;
using Roost.Clustering.Internal.InWorker;

namespace Roost.Cluster.Tests;

/// <summary>When a worker gives memory back: idle, above its lowest RSS by more than the slack, not too often.</summary>
public sealed class IdleMemoryTrimmerTests
{
    private const long Mb = 1 << 20;

    private readonly FakeTimeProvider _time = new();
    private long _allocated;
    private long _rss = 70 * Mb;
    private int _trims;

    private IdleMemoryTrimmer Create() => new(() => _allocated, () => _rss, () =>
    {
        _trims++;
        _rss = 72 * Mb;
    }, _time);

    [Fact]
    public void Tick_IdleAfterGrowth_Trims()
    {
        var trimmer = Create();
        trimmer.Tick(); // lowest RSS: 70 MB
        _rss = 150 * Mb;
        _time.Advance(TimeSpan.FromSeconds(5));

        trimmer.Tick();

        Assert.Equal(1, _trims);
    }

    // The primary trims with a smaller slack (8 MB): growth that a worker's default slack ignores is trimmed there.
    [Fact]
    public void Tick_GrowthBelowTheDefaultSlackButAboveAGivenOne_TrimsOnlyWithTheGivenOne()
    {
        var withDefault = Create();
        var withSmaller = new IdleMemoryTrimmer(() => _allocated, () => _rss, () => _trims += 100, _time, slack: 8 * Mb);
        withDefault.Tick();
        withSmaller.Tick(); // lowest RSS: 70 MB for both
        _rss = 70 * Mb + (IdleMemoryTrimmer.Slack / 2) + (2 * Mb);
        _time.Advance(TimeSpan.FromSeconds(5));

        withDefault.Tick();
        withSmaller.Tick();

        Assert.Equal(100, _trims);
    }

    [Fact]
    public void Tick_BusyWorker_DoesNotTrim()
    {
        var trimmer = Create();
        trimmer.Tick();
        _rss = 150 * Mb;
        _allocated += 50 * Mb; // serving requests
        _time.Advance(TimeSpan.FromSeconds(5));

        trimmer.Tick();

        Assert.Equal(0, _trims);
    }

    [Fact]
    public void Tick_GrowthWithinSlack_DoesNotTrim()
    {
        var trimmer = Create();
        trimmer.Tick();
        _rss = 70 * Mb + IdleMemoryTrimmer.Slack;
        _time.Advance(TimeSpan.FromSeconds(5));

        trimmer.Tick();

        Assert.Equal(0, _trims);
    }

    [Fact]
    public void Tick_StillHigh_TrimsAgainOnlyAfterTheMinimumInterval()
    {
        var trimmer = Create();
        trimmer.Tick();
        _rss = 150 * Mb;
        trimmer.Tick();
        _rss = 150 * Mb; // the trim could not give it back (connections still open)

        _time.Advance(IdleMemoryTrimmer.MinimumInterval - TimeSpan.FromSeconds(1));
        trimmer.Tick();
        var beforeInterval = _trims;
        _time.Advance(TimeSpan.FromSeconds(1));
        trimmer.Tick();

        Assert.Equal(1, beforeInterval);
        Assert.Equal(2, _trims);
    }
}
