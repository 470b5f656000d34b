using System.Text;
using Roost.Testing;
using StackExchange.Redis;

namespace Roost.SharedState.Tests;

/// <summary>
/// Broadcast with real clusters: "invalidate a cache entry everywhere" sent by one worker reaches every worker of the
/// cluster (primary IPC, SQLite mode) and every worker of two separate clusters on one Redis (pub/sub); garbage on the
/// Redis channel is dropped and logged.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BroadcastTests
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Invalidate_SentByOneWorkerOfSqliteCluster_ReachesEveryWorkerOnce()
    {
        using var dir = new TempDirectory();
        await using var cluster = await ClusterStateHost.StartAsync(4, dir.File("state"));
        using var client = StateHost.ClientWithCookieJar();

        var answer = await client.GetStringAsync(cluster.Url("/invalidate?key=price"), TestContext.Current.CancellationToken);

        var sender = StateHost.Parse(answer).Pid;
        var lines = await cluster.WaitForLinesAsync("invalidated price ", 4, Delivery);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        lines = [.. cluster.Process.Lines.Where(l => l.StartsWith("invalidated price ", StringComparison.Ordinal))];
        var pids = lines.Select(l => int.Parse(l.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(cluster.ListeningPids.Order(), pids.Order());
        Assert.Equal($"self=True", Assert.Single(lines, l => l.EndsWith("self=True", StringComparison.Ordinal)).Split(' ')[^1]);
        Assert.Contains($" {sender} self=True", Assert.Single(lines, l => l.EndsWith("self=True", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalidate_OverRedis_ReachesEveryWorkerOfTwoClusters()
    {
        await using var redis = await RedisServer.StartNewAsync();
        using var dir = new TempDirectory();
        await using var first = await ClusterStateHost.StartAsync(2, dir.File("a"), redis.Address);
        await using var second = await ClusterStateHost.StartAsync(2, dir.File("b"), redis.Address);
        using var client = StateHost.ClientWithCookieJar();

        await client.GetStringAsync(first.Url("/invalidate?key=user:42"), TestContext.Current.CancellationToken);

        var a = await first.WaitForLinesAsync("invalidated user:42 ", 2, Delivery);
        var b = await second.WaitForLinesAsync("invalidated user:42 ", 2, Delivery);
        Assert.Single(a, l => l.EndsWith("self=True", StringComparison.Ordinal));
        Assert.All(b, l => Assert.EndsWith("self=False", l, StringComparison.Ordinal));
        Assert.Equal(second.ListeningPids.Order(), b.Select(l => int.Parse(l.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture)).Order());
    }

    [Fact]
    public async Task RedisChannel_MalformedAndOversizedMessages_DroppedAndLoggedThenNextMessageDelivered()
    {
        await using var redis = await RedisServer.StartNewAsync();
        using var dir = new TempDirectory();
        await using var cluster = await ClusterStateHost.StartAsync(1, dir.File("state"), redis.Address);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var channel = RedisChannel.Literal("roost:broadcast:Roost.StateTestHost");

        await connection.GetSubscriber().PublishAsync(channel, "this is not json");
        await connection.GetSubscriber().PublishAsync(channel, Encoding.UTF8.GetBytes("\"" + new string('x', 2 * 1024 * 1024) + "\""));

        await cluster.Process.WaitForLineAsync(l => l.Contains("Dropped a broadcast", StringComparison.Ordinal) && l.Contains("not a Roost broadcast", StringComparison.Ordinal), Delivery);
        await cluster.Process.WaitForLineAsync(l => l.Contains("Dropped a broadcast", StringComparison.Ordinal) && l.Contains("more than the limit of 1048576 bytes", StringComparison.Ordinal), Delivery);
        using var client = StateHost.ClientWithCookieJar();
        await client.GetStringAsync(cluster.Url("/invalidate?key=after"), TestContext.Current.CancellationToken);
        await cluster.WaitForLinesAsync("invalidated after ", 1, Delivery);
        Assert.False(cluster.Process.HasExited);
    }
}
