using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>
/// The Redis mode against a redis-server the test starts on a free loopback port: exact counts across processes,
/// Data Protection keys in Redis, and Redis killed mid-test (503 with a clear message, no crash, recovery).
/// </summary>
[Trait("Category", "Slow")]
public sealed class RedisSharedStateTests
{
    [Fact]
    public async Task FacadeSession_ThreeProcessesConcurrentClients_ThousandIncrementsEndAtExactlyThousand()
    {
        await using var redis = await RedisServer.StartNewAsync();
        using var dir = new TempDirectory();
        var hosts = await StateHost.StartManyAsync(3, "facade", dir.File("state"), redis.Address);
        try
        {
            await SharedCounter.AssertExactAsync(hosts);
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task AspNetSession_CookieFromProcessA_AcceptedByProcessBAfterAIsGone()
    {
        await using var redis = await RedisServer.StartNewAsync();
        using var dir = new TempDirectory();
        await DataProtectionAcrossProcesses.AssertAsync(dir.File("state"), redis.Address);

        // The keys live in Redis, not in the folder.
        Assert.False(Directory.Exists(Path.Combine(dir.File("state"), "keys")) && Directory.GetFiles(Path.Combine(dir.File("state"), "keys"), "key-*.xml").Length > 0);
    }

    [Theory]
    [InlineData("facade")]
    [InlineData("aspnet")]
    public async Task Session_RedisKilledMidTest_Answers503WithReasonThenRecovers(string mode)
    {
        await using var redis = await RedisServer.StartNewAsync();
        using var dir = new TempDirectory();
        await using var host = await StateHost.StartAsync(mode, dir.File("state"), redis.Address);
        using var client = StateHost.ClientWithCookieJar();
        Assert.Equal("1", StateHost.Parse(await client.GetStringAsync(host.Url("/visit"), TestContext.Current.CancellationToken)).Value);
        Assert.Equal("2", StateHost.Parse(await client.GetStringAsync(host.Url("/visit"), TestContext.Current.CancellationToken)).Value);

        await redis.KillAsync();
        using var down = await client.GetAsync(host.Url("/visit"), TestContext.Current.CancellationToken);
        var message = await down.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains($"Redis at 127.0.0.1:{redis.Port}", message, StringComparison.Ordinal);
        Assert.Contains("503", message, StringComparison.Ordinal);
        Assert.Equal("1", down.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        await host.Process.WaitForLineAsync(line => line.Contains("StoreUnavailable", StringComparison.Ordinal) || line.Contains("[4010]", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.False(host.Process.HasExited);

        // Redis comes back with its data (append-only file): the session continues where it was.
        await redis.StartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        HttpStatusCode status;
        string body;
        do
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            using var response = await client.GetAsync(host.Url("/visit"), TestContext.Current.CancellationToken);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("3", StateHost.Parse(body).Value);
        Assert.False(host.Process.HasExited);
    }

    [Fact]
    public async Task AtomicUpdate_WrittenValue_IsReadByTheRedisCache()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var services = new ServiceCollection().AddLogging().AddRoostSharedState(o =>
        {
            o.Redis = redis.Address;

            // The first connect of a cold test process can pass the 2 s default on a busy CI machine; this test is
            // about atomic updates, not about the timeout (the Redis-killed tests in this class cover that).
            o.RedisTimeout = TimeSpan.FromSeconds(10);
        });
        await using var provider = services.BuildServiceProvider();
        var atomic = provider.GetRequiredService<IAtomicCache>();
        var cache = provider.GetRequiredService<IDistributedCache>();
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) };

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await atomic.UpdateAsync("counter", SqliteDistributedCacheTests.Increment, options);
            }
        })));

        Assert.Equal("200", Encoding.ASCII.GetString((await cache.GetAsync("counter", TestContext.Current.CancellationToken))!));
        await cache.SetAsync("counter", Encoding.ASCII.GetBytes("1000"), options, TestContext.Current.CancellationToken);
        Assert.Equal("1001", Encoding.ASCII.GetString((await atomic.UpdateAsync("counter", SqliteDistributedCacheTests.Increment, options, TestContext.Current.CancellationToken))!));
    }
}
