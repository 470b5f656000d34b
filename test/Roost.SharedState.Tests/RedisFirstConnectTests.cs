using System.Net;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>The first request after start waits (bounded) for the initial Redis connection instead of getting 503.</summary>
[Trait("Category", "Slow")]
public sealed class RedisFirstConnectTests
{
    [Fact]
    public async Task FirstRequest_RedisComesUpWhileInitialConnectIsUnderWay_AnsweredNot503()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await redis.KillAsync();
        using var dir = new TempDirectory();
        await using var host = await StateHost.StartAsync("facade", dir.File("state"), redis.Address);
        using var client = StateHost.ClientWithCookieJar();

        // The request arrives before Redis is up; Redis starts while it waits for the first connection.
        var request = client.GetAsync(host.Url("/visit"), TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await redis.StartAsync();
        using var response = await request;

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("1", StateHost.Parse(body).Value);
    }
}
