using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>
/// Several real processes on one SQLite file: exact counts under concurrent increments, nothing committed lost to a
/// SIGKILL, expiry seen by another process, and Data Protection cookies accepted by a process started after the
/// issuer is gone.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SqliteSharedStateTests
{
    internal const int Increments = 1000;
    internal const int Concurrency = 12;

    [Fact]
    public async Task FacadeSession_ThreeProcessesConcurrentClients_ThousandIncrementsEndAtExactlyThousand()
    {
        using var dir = new TempDirectory();
        var hosts = await StateHost.StartManyAsync(3, "facade", dir.File("state"));
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
    public async Task FacadeSession_ProcessSigkilledMidRun_LosesNoAcknowledgedIncrement()
    {
        using var dir = new TempDirectory();
        var hosts = await StateHost.StartManyAsync(3, "facade", dir.File("state"));
        try
        {
            using var client = StateHost.ClientWithCookieJar();
            var first = await client.GetStringAsync(hosts[0].Url("/visit"), TestContext.Current.CancellationToken);
            var acknowledged = new ConcurrentBag<long> { long.Parse(StateHost.Parse(first).Value, CultureInfo.InvariantCulture) };
            var failed = 0;
            var sent = 0;
            var victim = hosts[0];
            await Parallel.ForAsync(1, 900, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
            {
                if (Interlocked.Increment(ref sent) == 300)
                {
                    victim.Process.Signal(9);
                }

                try
                {
                    var body = await client.GetStringAsync(hosts[i % hosts.Length].Url("/visit"), ct);
                    acknowledged.Add(long.Parse(StateHost.Parse(body).Value, CultureInfo.InvariantCulture));
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            });

            var final = long.Parse(StateHost.Parse(await client.GetStringAsync(hosts[1].Url("/get"), TestContext.Current.CancellationToken)).Value, CultureInfo.InvariantCulture);
            Assert.True(victim.Process.HasExited);
            Assert.True(failed > 0, "the killed process should have refused some requests");
            Assert.Equal(acknowledged.Count, acknowledged.Distinct().Count());

            // Every acknowledged increment is stored; at most the requests that died with the process (committed,
            // never answered) may be counted on top.
            Assert.True(final >= acknowledged.Count, $"final {final} < acknowledged {acknowledged.Count}");
            Assert.True(final <= acknowledged.Count + failed, $"final {final} > acknowledged {acknowledged.Count} + failed {failed}");
            Assert.True(acknowledged.Max() <= final);
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task FacadeSession_IdleLongerThanTimeout_ExpiresForEveryProcess()
    {
        using var dir = new TempDirectory();
        // Margins of more than a second each way, so a slow shared CI machine cannot flip the outcome.
        await using var a = await StateHost.StartAsync("facade", dir.File("state"), idleMilliseconds: 3000);
        await using var b = await StateHost.StartAsync("facade", dir.File("state"), idleMilliseconds: 3000);
        using var client = StateHost.ClientWithCookieJar();

        Assert.Equal("1", StateHost.Parse(await client.GetStringAsync(a.Url("/visit"), TestContext.Current.CancellationToken)).Value);
        await Task.Delay(1200, TestContext.Current.CancellationToken);
        Assert.Equal("2", StateHost.Parse(await client.GetStringAsync(b.Url("/visit"), TestContext.Current.CancellationToken)).Value);
        await Task.Delay(1200, TestContext.Current.CancellationToken);

        // 2.4 s after the first visit, but the second renewed the sliding window (and this read renews it again).
        Assert.Equal("2", StateHost.Parse(await client.GetStringAsync(a.Url("/get"), TestContext.Current.CancellationToken)).Value);
        await Task.Delay(4000, TestContext.Current.CancellationToken);
        Assert.Equal("none", StateHost.Parse(await client.GetStringAsync(b.Url("/get"), TestContext.Current.CancellationToken)).Value);
    }

    [Fact]
    public async Task AspNetSession_CookieFromProcessA_AcceptedByProcessBAfterAIsGone()
    {
        using var dir = new TempDirectory();
        await DataProtectionAcrossProcesses.AssertAsync(dir.File("state"), redis: null);
    }

    [Fact]
    public async Task AspNetSession_SequentialClientRotatingOverThreeProcesses_CountsEveryVisit()
    {
        using var dir = new TempDirectory();
        var hosts = await StateHost.StartManyAsync(3, "aspnet", dir.File("state"));
        try
        {
            using var client = StateHost.ClientWithCookieJar();
            var pids = new HashSet<int>();
            for (var i = 1; i <= 60; i++)
            {
                var (value, pid) = StateHost.Parse(await client.GetStringAsync(hosts[i % 3].Url("/visit"), TestContext.Current.CancellationToken));
                Assert.Equal(i.ToString(CultureInfo.InvariantCulture), value);
                pids.Add(pid);
            }

            Assert.Equal(3, pids.Count);
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Prepare_EmptyFolder_CreatesOneKeyAndPrivateFolders()
    {
        using var dir = new TempDirectory();
        var options = new SharedStateOptions { Directory = dir.File("state") };

        Assert.Equal(1, await SharedStateSetup.PrepareAsync(options, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(1, await SharedStateSetup.PrepareAsync(options, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Single(Directory.GetFiles(options.KeysDirectory, "key-*.xml"));
        var folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(folder, File.GetUnixFileMode(options.KeysDirectory));
        Assert.Equal(folder, File.GetUnixFileMode(options.Directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options.DatabasePath));
    }

    [Fact]
    public async Task Workers_StartTogetherOnEmptyKeyFolder_ShareOneKey()
    {
        using var dir = new TempDirectory();
        var hosts = await StateHost.StartManyAsync(3, "aspnet", dir.File("state"));
        try
        {
            Assert.Single(Directory.GetFiles(Path.Combine(dir.File("state"), "keys"), "key-*.xml"));
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.DisposeAsync().AsTask()));
        }
    }
}

/// <summary>The counter scenario shared by the SQLite and Redis tests.</summary>
internal static class SharedCounter
{
    public static async Task AssertExactAsync(StateHost[] hosts)
    {
        using var client = StateHost.ClientWithCookieJar();

        // The first request starts the session (and sets the cookie); the rest run concurrently with it.
        var values = new ConcurrentBag<long>();
        var pids = new ConcurrentDictionary<int, int>();
        var first = StateHost.Parse(await client.GetStringAsync(hosts[0].Url("/visit"), TestContext.Current.CancellationToken));
        values.Add(long.Parse(first.Value, CultureInfo.InvariantCulture));
        await Parallel.ForAsync(1, SqliteSharedStateTests.Increments, new ParallelOptions { MaxDegreeOfParallelism = SqliteSharedStateTests.Concurrency, CancellationToken = TestContext.Current.CancellationToken }, async (i, ct) =>
        {
            var (value, pid) = StateHost.Parse(await client.GetStringAsync(hosts[i % hosts.Length].Url("/visit"), ct));
            values.Add(long.Parse(value, CultureInfo.InvariantCulture));
            pids.AddOrUpdate(pid, 1, (_, n) => n + 1);
        });

        var final = StateHost.Parse(await client.GetStringAsync(hosts[1].Url("/get"), TestContext.Current.CancellationToken)).Value;
        Assert.Equal(SqliteSharedStateTests.Increments.ToString(CultureInfo.InvariantCulture), final);
        Assert.Equal(Enumerable.Range(1, SqliteSharedStateTests.Increments).Select(i => (long)i), values.Order());
        Assert.True(pids.Count >= 3, $"answers came from {pids.Count} processes");
    }
}

/// <summary>A session cookie and a protected payload made by process A, read by process B started after A died.</summary>
internal static class DataProtectionAcrossProcesses
{
    public static async Task AssertAsync(string stateDirectory, string? redis)
    {
        var jar = new CookieContainer();
        using var client = StateHost.ClientWithCookieJar(jar);
        string payload;
        int pidA;
        await using (var a = await StateHost.StartAsync("aspnet", stateDirectory, redis))
        {
            await client.GetStringAsync(a.Url("/visit"), TestContext.Current.CancellationToken);
            (_, pidA) = StateHost.Parse(await client.GetStringAsync(a.Url("/visit"), TestContext.Current.CancellationToken));
            payload = await client.GetStringAsync(a.Url("/protect?text=made-by-a"), TestContext.Current.CancellationToken);
            Assert.Single(jar.GetAllCookies(), c => c.Name == "roost.test.session");
            a.Process.Signal(9);
            await a.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await using var b = await StateHost.StartAsync("aspnet", stateDirectory, redis);
        var (value, pidB) = StateHost.Parse(await client.GetStringAsync(b.Url("/get"), TestContext.Current.CancellationToken));
        Assert.NotEqual(pidA, pidB);
        Assert.Equal("2", value);
        Assert.Equal("made-by-a", await client.GetStringAsync(b.Url("/unprotect?payload=" + Uri.EscapeDataString(payload)), TestContext.Current.CancellationToken));
    }
}
