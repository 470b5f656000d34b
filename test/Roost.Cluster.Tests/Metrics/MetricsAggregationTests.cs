using System.Net;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Metrics;

namespace Roost.Cluster.Tests.Metrics;

/// <summary>The primary's metrics model: shared blocks, retired counts per slot, quantiles, /proc parsing, the supervision log, admin checks.</summary>
public sealed class MetricsAggregationTests
{
    private static readonly ClusterMetrics.SnapshotHeader Header = new("t", DateTimeOffset.UnixEpoch, 1, 1, "running", null);

    // Verifies: what a worker wrote in its block is in the snapshot; when it exits (as after kill -9, nothing is sent)
    // its counts stay in its slot and the totals, and its replacement's counts add to them: nothing goes backwards.
    [Fact]
    public void Retire_KeepsTheDeadWorkersCounts_AndTheReplacementAddsToTheSlot()
    {
        using var metrics = new ClusterMetrics(new StderrLogger(LogLevel.None), new SupervisionLog(TimeProvider.System));
        var first = MetricsBlock.Open(metrics.Attach(1)!);
        first.Set(MetricsBlock.Slots.Counting, 1);
        for (var i = 0; i < 5; i++)
        {
            first.RecordDuration(0.003);
            first.Increment(MetricsBlock.Slots.Requests);
        }

        metrics.Online(1);
        var live = metrics.Build(Header, [Worker(1)], DateTimeOffset.UtcNow);
        Assert.Equal(5, live.Totals.Counts.Requests);
        Assert.Equal(5, live.Workers.Single().Counts.Requests);

        first.Dispose();
        metrics.Retire(1, 0);
        var replacement = MetricsBlock.Open(metrics.Attach(2)!);
        replacement.Increment(MetricsBlock.Slots.Requests);
        replacement.RecordDuration(2);
        replacement.Add(MetricsBlock.Slots.ActiveConnections, 3);
        var after = metrics.Build(Header, [Worker(2)], DateTimeOffset.UtcNow);
        replacement.Dispose();

        Assert.Equal(6, after.Totals.Counts.Requests);
        Assert.Equal(1, after.Workers.Single().Counts.Requests);
        var slot = Assert.Single(after.Slots);
        Assert.Equal(6, slot.Counts.Requests);
        Assert.Equal(5, slot.Counts.DurationBuckets[0]);
        Assert.Equal(1, slot.Counts.DurationBuckets[MetricsBlock.BucketOf(2)]);
        Assert.Equal(3, slot.Counts.ActiveConnections);
        Assert.Equal(5 * 0.003 + 2, slot.Counts.DurationSumSeconds, 6);
    }

    // Verifies: a block's file is gone once the worker is online (no leftovers in /dev/shm), the mapping still works.
    [Fact]
    public void Online_UnlinksTheFile_MappingStaysUsable()
    {
        using var metrics = new ClusterMetrics(new StderrLogger(LogLevel.None), new SupervisionLog(TimeProvider.System));
        var path = metrics.Attach(7)!;
        using var worker = MetricsBlock.Open(path);
        metrics.Online(7);
        Assert.False(File.Exists(path));
        worker.Increment(MetricsBlock.Slots.Requests);
        Assert.Equal(1, metrics.Build(Header, [Worker(7)], DateTimeOffset.UtcNow).Totals.Counts.Requests);
    }

    // Verifies: TLS handshake durations a worker recorded reach /metrics as the kestrel_tls_handshake_duration_seconds
    // histogram of its slot, with exact bucket counts and sum, and stay there after the worker exits (kill -9).
    [Fact]
    public async Task Prometheus_TlsHandshakeDurations_AreAHistogramPerSlot_ThatOutlivesTheWorker()
    {
        using var metrics = new ClusterMetrics(new StderrLogger(LogLevel.None), new SupervisionLog(TimeProvider.System));
        var block = MetricsBlock.Open(metrics.Attach(1)!);
        block.Set(MetricsBlock.Slots.Counting, 1);
        foreach (var seconds in new[] { 0.003, 0.02, 0.0125 })
        {
            block.RecordTlsHandshake(seconds);
            block.Increment(MetricsBlock.Slots.TlsHandshakes);
        }

        metrics.Online(1);
        var live = true;
        var exporter = new PrometheusExporter(_ => Task.FromResult(metrics.Build(Header, live ? [Worker(1)] : [], DateTimeOffset.UtcNow)));
        var text = await ScrapeAsync(exporter);
        Assert.Contains("kestrel_tls_handshake_duration_seconds_bucket{worker=\"0\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kestrel_tls_handshake_duration_seconds_bucket{worker=\"0\",le=\"0.01\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kestrel_tls_handshake_duration_seconds_bucket{worker=\"0\",le=\"0.025\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("kestrel_tls_handshake_duration_seconds_count{worker=\"0\"} 3\n", text, StringComparison.Ordinal);
        var sum = text.Split('\n').Single(l => l.StartsWith("kestrel_tls_handshake_duration_seconds_sum{worker=\"0\"} ", StringComparison.Ordinal));
        Assert.Equal(0.0355, double.Parse(sum.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 9);

        metrics.Retire(1, slot: 0);
        live = false;
        Assert.Contains("kestrel_tls_handshake_duration_seconds_count{worker=\"0\"} 3\n", await ScrapeAsync(exporter), StringComparison.Ordinal);

        static async Task<string> ScrapeAsync(PrometheusExporter exporter)
        {
            using var output = new MemoryStream();
            await exporter.WriteAsync(output, TestContext.Current.CancellationToken);
            return System.Text.Encoding.UTF8.GetString(output.ToArray());
        }
    }

    [Theory]
    [InlineData(0.5, 0.01)]
    [InlineData(0.25, 0.0075)]
    [InlineData(0.99, 0.0247)]
    public void HistogramQuantile_InterpolatesInsideTheBucket(double q, double expected)
    {
        // 50 requests in (0.005, 0.01], 50 in (0.01, 0.025].
        long[] buckets = [0, 50, 50, .. new long[MetricsBlock.BucketCount - 3]];
        Assert.Equal(expected, HistogramQuantile.Estimate(MetricsBlock.DurationBounds, buckets, q)!.Value, 4);
    }

    [Fact]
    public void HistogramQuantile_EmptyIsNull_InfBucketAnswersTheLargestBound()
    {
        Assert.Null(HistogramQuantile.Estimate(MetricsBlock.DurationBounds, new long[MetricsBlock.BucketCount], 0.5));
        var slow = new long[MetricsBlock.BucketCount];
        slow[^1] = 3;
        Assert.Equal(10, HistogramQuantile.Estimate(MetricsBlock.DurationBounds, slow, 0.99));
    }

    [Fact]
    public void ProcessCpu_ParsesUtimeAndStime_AfterACommandNameWithSpacesAndParentheses()
    {
        const string Stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 123 1000 200";
        Assert.Equal(3.0, ProcessCpu.Parse(Stat));
        Assert.Null(ProcessCpu.Parse("garbage"));
        Assert.NotNull(ProcessCpu.ReadSeconds(Environment.ProcessId));
    }

    // Verifies: the supervision log keeps Information+ events by id whatever the configured logger's level, counts
    // them by kind, and still forwards only what the configured logger wants.
    [Fact]
    public void SupervisionLog_CountsAndKeepsEvents_ForwardsByTheInnerLevel()
    {
        var log = new SupervisionLog(TimeProvider.System);
        var inner = new ListLogger(LogLevel.Warning);
        var logger = log.Wrap(inner);
        logger.Log(LogLevel.Information, new EventId(ClusterEventIds.WorkerForked, "WorkerForked"), "worker 3 forked");
        logger.Log(LogLevel.Warning, new EventId(ClusterEventIds.WorkerExited, "WorkerExited"), "worker 3 exited");
        logger.Log(LogLevel.Information, new EventId(ClusterEventIds.ReloadCompleted, "ReloadCompleted"), "reloaded");
        logger.Log(LogLevel.Debug, new EventId(ClusterEventIds.WorkerOnline, "WorkerOnline"), "online");

        var counts = log.Counts();
        Assert.Equal((1, 1, 1), (counts.WorkerStarts, counts.WorkerCrashes, counts.Reloads));
        Assert.Equal(["WorkerForked", "WorkerExited", "ReloadCompleted"], log.Entries().Select(e => e.Event));
        Assert.Equal(["worker 3 exited"], inner.Messages);
    }

    [Fact]
    public void AdminOptions_NonLoopbackNeedsAToken_TokensAreLongEnough()
    {
        Assert.Empty(new ClusterAdminOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 9090) }.Validate());
        Assert.Empty(new ClusterAdminOptions().Validate());
        var open = Assert.Single(new ClusterAdminOptions { EndPoint = new IPEndPoint(IPAddress.Any, 9090) }.Validate());
        Assert.Equal(ClusterErrorMessages.AdminTokenRequired(new IPEndPoint(IPAddress.Any, 9090)), open);
        Assert.Contains("'0.0.0.0:9090'", open, StringComparison.Ordinal);
        var shortToken = Assert.Single(new ClusterAdminOptions { EndPoint = new IPEndPoint(IPAddress.Any, 9090), BearerToken = "short" }.Validate());
        Assert.Equal(ClusterErrorMessages.AdminTokenTooShort(5), shortToken);
        Assert.Empty(new ClusterAdminOptions { EndPoint = new IPEndPoint(IPAddress.Any, 9090), BearerToken = new string('x', 16) }.Validate());
    }

    private static ClusterMetrics.LiveWorker Worker(int id) => new(id, Environment.ProcessId, 0, 1, "ready", DateTimeOffset.UtcNow, 0);

    private sealed class ListLogger(LogLevel minimum) : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
