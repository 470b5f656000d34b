using Microsoft.Extensions.Time.Testing;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests;

/// <summary>RestartPolicy: Node's default, boot failures, backoff growth and cap, jitter bounds, the crash window.</summary>
public sealed class RestartPolicyTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    private static (RestartPolicy Policy, FakeTimeProvider Time) Create(ClusterOptions options, double random = 0.5)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        return (new RestartPolicy(options, time, () => random), time);
    }

    [Fact]
    public void Decide_NodeDefault_NeverRestarts()
    {
        var (policy, _) = Create(new ClusterOptions());

        Assert.Equal(RestartAction.None, policy.Decide(requested: false, wasReady: true, Short).Action);
        Assert.Equal(RestartAction.None, policy.Decide(requested: false, wasReady: false, Short).Action);
    }

    [Fact]
    public void Decide_RequestedExit_IsNotRestarted()
    {
        var (policy, _) = Create(new ClusterOptions { RespawnWorkers = true });

        Assert.Equal(RestartAction.None, policy.Decide(requested: true, wasReady: true, Short).Action);
    }

    [Fact]
    public void Decide_DiedBeforeReady_IsBootFailure()
    {
        var (policy, _) = Create(new ClusterOptions { RespawnWorkers = true });

        Assert.Equal(RestartAction.BootFailed, policy.Decide(requested: false, wasReady: false, TimeSpan.FromMinutes(5)).Action);
    }

    [Fact]
    public void Decide_CrashesInARow_BackoffDoublesUpToTheCap()
    {
        var (policy, time) = Create(new ClusterOptions { RespawnWorkers = true, BackoffJitter = 0, MaxCrashes = 100, CrashWindow = TimeSpan.FromSeconds(1) });
        var delays = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var decision = policy.Decide(false, true, Short);
            Assert.Equal(RestartAction.Restart, decision.Action);
            delays.Add(decision.Delay.TotalMilliseconds);
            time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal([100, 200, 400, 800, 1600, 3200, 6400, 12800, 15000, 15000], delays);
    }

    [Fact]
    public void Decide_WorkerThatLivedPastMinUptime_ResetsTheBackoff()
    {
        var (policy, _) = Create(new ClusterOptions { RespawnWorkers = true, BackoffJitter = 0 });
        policy.Decide(false, true, Short);
        policy.Decide(false, true, Short);
        Assert.Equal(400, policy.Decide(false, true, Short).Delay.TotalMilliseconds);

        var stable = policy.Decide(false, true, TimeSpan.FromSeconds(30));

        Assert.Equal(RestartAction.Restart, stable.Action);
        Assert.Equal(100, stable.Delay.TotalMilliseconds);
        Assert.Equal(100, policy.Decide(false, true, Short).Delay.TotalMilliseconds);
    }

    [Fact]
    public void Decide_TenthCrashWithinTheWindow_GivesUp()
    {
        var (policy, time) = Create(new ClusterOptions { RespawnWorkers = true });
        for (var i = 0; i < 9; i++)
        {
            Assert.Equal(RestartAction.Restart, policy.Decide(false, true, Short).Action);
            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(RestartAction.GiveUp, policy.Decide(false, true, Short).Action);
    }

    [Fact]
    public void Decide_CrashesSpreadBeyondTheWindow_NeverGiveUp()
    {
        var (policy, time) = Create(new ClusterOptions { RespawnWorkers = true });
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(RestartAction.Restart, policy.Decide(false, true, Short).Action);
            time.Advance(TimeSpan.FromSeconds(7));
        }

        Assert.True(policy.CrashesInWindow < 10);
    }

    [Theory]
    [InlineData(0.0, 80)]
    [InlineData(0.5, 100)]
    [InlineData(1.0, 120)]
    public void Decide_Jitter_StaysWithinTwentyPercent(double random, double expected)
    {
        var (policy, _) = Create(new ClusterOptions { RespawnWorkers = true }, random);

        Assert.Equal(expected, policy.Decide(false, true, Short).Delay.TotalMilliseconds, 3);
    }

    [Fact]
    public void Decide_JitterNeverExceedsMaxBackoff()
    {
        var (policy, time) = Create(new ClusterOptions { RespawnWorkers = true, MaxCrashes = 100 }, random: 1.0);
        var decision = default(RestartDecision);
        for (var i = 0; i < 12; i++)
        {
            decision = policy.Decide(false, true, Short);
            time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(TimeSpan.FromSeconds(15), decision.Delay);
    }
}
