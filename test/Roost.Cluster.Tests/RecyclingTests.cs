using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests;

/// <summary>Reload batch size and recycling settings, and the per-worker request limit with jitter.</summary>
public sealed class RecyclingTests
{
    [Fact]
    public void ClusterOptions_RecyclingDefaults_AreOffAndBatchSizeIsOne()
    {
        var options = new ClusterOptions();

        Assert.Equal(1, options.ReloadBatchSize);
        Assert.Null(options.RecycleAfterRequests);
        Assert.Equal(0, options.RecycleRequestsJitter);
        Assert.Null(options.RecycleAboveMemoryBytes);
        Assert.Null(options.RecycleAfterAge);
        Assert.Null(options.RecycleAgeJitter);
    }

    [Fact]
    public void ClusterOptions_RecyclingOutOfRange_IsReportedNamingTheSettingAndValue()
    {
        var options = new ClusterOptions
        {
            ReloadBatchSize = 0,
            RecycleAfterRequests = 0,
            RecycleRequestsJitter = -1,
            RecycleAboveMemoryBytes = 0,
            RecycleAfterAge = TimeSpan.Zero,
            RecycleAgeJitter = TimeSpan.FromSeconds(-1),
        };

        var problems = Assert.Throws<InvalidOptionsException>(options.Validate).Problems;

        Assert.Equal(
            [
                "ClusterOptions.ReloadBatchSize must be at least 1; got 0.",
                "ClusterOptions.RecycleAfterRequests must be at least 1 (or null: off); got 0.",
                "ClusterOptions.RecycleRequestsJitter must be zero or more; got -1.",
                "ClusterOptions.RecycleAboveMemoryBytes must be more than zero (or null: off); got 0.",
                "ClusterOptions.RecycleAfterAge must be more than zero (or null: off); got 00:00:00.",
                "ClusterOptions.RecycleAgeJitter must be zero or more (or null: a tenth of RecycleAfterAge); got -00:00:01.",
            ],
            problems);

        options.ReloadBatchSize = 1;
        options.RecycleAfterRequests = null;
        options.RecycleRequestsJitter = 0;
        options.RecycleAboveMemoryBytes = null;
        options.RecycleAfterAge = TimeSpan.FromHours(1);
        options.RecycleAgeJitter = null;
        options.Validate();
        Assert.Equal(TimeSpan.FromHours(1), options.RecycleAfterAge);
    }

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(0.5, 1050)]
    [InlineData(0.999999, 1100)]
    public void RequestLimit_AddsJitterFromZeroToTheMaximum(double random, long expected)
    {
        Assert.Equal(expected, RecycleSchedule.RequestLimit(1000, 100, () => random));
    }

    [Fact]
    public void RequestLimit_WithJitter_SpreadsWorkersAndStaysInRange()
    {
        var limits = Enumerable.Range(0, 200).Select(_ => RecycleSchedule.RequestLimit(1000, 100, Random.Shared.NextDouble)).ToList();

        Assert.All(limits, l => Assert.InRange(l, 1000, 1100));
        Assert.True(limits.Distinct().Count() > 20, "the jitter did not spread the limits");
        Assert.Equal(1000, RecycleSchedule.RequestLimit(1000, 0, Random.Shared.NextDouble));
    }

    [Fact]
    public void AgeLimit_DefaultJitterIsATenth_SpreadsWorkersStartedTogether()
    {
        var options = new ClusterOptions { RecycleAfterAge = TimeSpan.FromHours(1) };
        Assert.Equal(TimeSpan.FromMinutes(6), options.EffectiveRecycleAgeJitter);
        options.RecycleAgeJitter = TimeSpan.Zero;
        Assert.Equal(TimeSpan.Zero, options.EffectiveRecycleAgeJitter);

        Assert.Equal(TimeSpan.FromHours(1), RecycleSchedule.AgeLimit(TimeSpan.FromHours(1), TimeSpan.FromMinutes(6), () => 0.0));
        Assert.Equal(TimeSpan.FromMinutes(63), RecycleSchedule.AgeLimit(TimeSpan.FromHours(1), TimeSpan.FromMinutes(6), () => 0.5));
        var limits = Enumerable.Range(0, 200).Select(_ => RecycleSchedule.AgeLimit(TimeSpan.FromHours(1), TimeSpan.FromMinutes(6), Random.Shared.NextDouble)).ToList();
        Assert.All(limits, l => Assert.InRange(l, TimeSpan.FromHours(1), TimeSpan.FromMinutes(66)));
        Assert.True(limits.Distinct().Count() > 20, "the jitter did not spread the limits");
    }
}
