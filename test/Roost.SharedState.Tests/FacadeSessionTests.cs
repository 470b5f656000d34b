using System.Net;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>The façade in-process: cookie attributes, 503 for an unavailable service, and a server without a store.</summary>
public sealed class FacadeSessionTests
{
    [Fact]
    public async Task GetSessionAsync_NoCookie_SetsHttpOnlyLaxCookieAndReusesIt()
    {
        using var dir = new TempDirectory();
        var options = new ServerOptions { HandleShutdownSignals = false }.UseSharedState(o => o.Directory = dir.File("state"));
        await using var server = Http.CreateServer(options, async (req, res) =>
        {
            var session = await req.GetSessionAsync();
            var again = await req.GetSessionAsync();
            await res.EndAsync($"{await session.IncrementAsync("n")} {session.IsNew} {ReferenceEquals(session, again)}");
        });
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}/";
        using var client = StateHost.ClientWithCookieJar();

        using var first = await client.GetAsync(url, TestContext.Current.CancellationToken);
        var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^roost\\.sid=[A-Za-z0-9_-]{43}; path=/; samesite=lax; httponly$", setCookie);
        Assert.Equal("1 True True", await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var second = await client.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.False(second.Headers.Contains("Set-Cookie"));
        Assert.Equal("2 False True", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Handler_ThrowsServiceUnavailable_Answers503WithMessageAndRetryAfter()
    {
        await using var server = Http.CreateServer(new ServerOptions { HandleShutdownSignals = false }, (req, res) =>
            throw new ServiceUnavailableException("The store is down; try again.", TimeSpan.FromSeconds(3), null));
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var client = StateHost.ClientWithCookieJar();

        using var response = await client.GetAsync($"http://127.0.0.1:{server.LocalEndPoint!.Port}/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Equal("The store is down; try again.\n", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GetSessionAsync_ServerWithoutStore_Answers500AndNamesTheFix()
    {
        Exception? thrown = null;
        await using var server = Http.CreateServer(new ServerOptions { HandleShutdownSignals = false }, async (req, res) =>
        {
            try
            {
                await req.GetSessionAsync();
            }
            catch (InvalidOperationException ex)
            {
                thrown = ex;
                throw;
            }
        });
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var client = StateHost.ClientWithCookieJar();

        using var response = await client.GetAsync($"http://127.0.0.1:{server.LocalEndPoint!.Port}/x", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("options.UseSharedState(", thrown?.Message, StringComparison.Ordinal);
        Assert.Contains("'/x'", thrown?.Message, StringComparison.Ordinal);
    }
}

/// <summary>Servers on the Redis store close promptly (the shared connection must not hang disposal).</summary>
public sealed class RedisShutdownTests
{
    [Fact]
    public async Task FacadeServerOnRedis_AfterRequests_DisposesWithinTenSeconds()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var options = new ServerOptions { HandleShutdownSignals = false }.UseSharedState(o =>
        {
            o.Redis = redis.Address;
            o.RedisTimeout = TimeSpan.FromSeconds(10); // a cold first connect on a busy machine; this test is about disposal
        });
        var server = Http.CreateServer(options, async (req, res) =>
        {
            var session = await req.GetSessionAsync();
            await res.EndAsync((await session.IncrementAsync("n")).ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var client = StateHost.ClientWithCookieJar();
        Assert.Equal("1", await client.GetStringAsync($"http://127.0.0.1:{server.LocalEndPoint!.Port}/", TestContext.Current.CancellationToken));

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
