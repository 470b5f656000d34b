using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>The SQLite store in one process: round trip, expiry on a fake clock, cleanup, file modes, atomic updates.</summary>
public sealed class SqliteDistributedCacheTests
{
    private static readonly DistributedCacheEntryOptions NoExpiry = new();

    [Fact]
    public async Task SetGet_NewFolder_RoundTripsWithPrivateFileModes()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "nested", "state", "state.db");
        using var cache = new SqliteDistributedCache(path);

        await cache.SetAsync("k", "v"u8.ToArray(), NoExpiry, TestContext.Current.CancellationToken);

        Assert.Equal("v"u8.ToArray(), await cache.GetAsync("k", TestContext.Current.CancellationToken));
        Assert.Null(await cache.GetAsync("missing", TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + "-wal"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(dir.Path, "nested")));
    }

    [Fact]
    public async Task Get_AbsoluteExpiryPassed_ReturnsNull()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var cache = new SqliteDistributedCache(dir.File("state.db"), timeProvider: time);

        cache.Set("k", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10) });
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull(cache.Get("k"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.Get("k"));
    }

    [Fact]
    public void Get_SlidingExpiry_RenewsOnEachReadButNotPastAbsolute()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var cache = new SqliteDistributedCache(dir.File("state.db"), timeProvider: time);
        cache.Set("sliding", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(10) });
        cache.Set("capped", [2], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(10), AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(15) });

        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(cache.Get("sliding"));
        Assert.NotNull(cache.Get("capped"));
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(cache.Get("sliding"));
        Assert.Null(cache.Get("capped"));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(cache.Get("sliding"));
    }

    [Fact]
    public async Task RemoveExpired_SomeEntriesExpired_DeletesOnlyThose()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var cache = new SqliteDistributedCache(dir.File("state.db"), timeProvider: time);
        cache.Set("short", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1) });
        cache.Set("long", [2], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) });
        cache.Set("forever", [3], NoExpiry);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, await cache.RemoveExpiredAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await cache.RemoveExpiredAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(cache.Get("long"));
        Assert.NotNull(cache.Get("forever"));
    }

    [Fact]
    public void Set_AbsoluteExpirationInPast_ThrowsNamingTheValue()
    {
        using var dir = new TempDirectory();
        using var cache = new SqliteDistributedCache(dir.File("state.db"));
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => cache.Set("k", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = past }));
        Assert.Contains(past.ToString("O"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_ConcurrentWritersOnTwoInstances_LoseNoIncrement()
    {
        using var dir = new TempDirectory();
        using var first = new SqliteDistributedCache(dir.File("state.db"));
        using var second = new SqliteDistributedCache(dir.File("state.db"));
        const int Writers = 8;
        const int PerWriter = 100;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            IAtomicCache cache = w % 2 == 0 ? first : second;
            for (var i = 0; i < PerWriter; i++)
            {
                await cache.UpdateAsync("counter", Increment, NoExpiry);
            }
        })));

        Assert.Equal(Writers * PerWriter, int.Parse(Encoding.ASCII.GetString(first.Get("counter")!)));
    }

    [Fact]
    public async Task UpdateAsync_ReturnsNull_RemovesTheEntry()
    {
        using var dir = new TempDirectory();
        using var cache = new SqliteDistributedCache(dir.File("state.db"));
        cache.Set("k", [1], NoExpiry);

        Assert.Null(await cache.UpdateAsync("k", _ => null, NoExpiry, TestContext.Current.CancellationToken));
        Assert.Null(cache.Get("k"));
    }

    [Fact]
    public void Constructor_PathIsAFolder_ThrowsUnavailableNamingThePath()
    {
        using var dir = new TempDirectory();
        var path = dir.File("state.db");
        Directory.CreateDirectory(path); // a folder where the file should be

        var ex = Assert.Throws<SharedStateUnavailableException>(() => new SqliteDistributedCache(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_AnotherWriterHoldsTheLockPastBusyTimeout_ThrowsUnavailableNamingFileAndOption()
    {
        using var dir = new TempDirectory();
        var path = dir.File("state.db");
        using var cache = new SqliteDistributedCache(path, busyTimeout: TimeSpan.FromMilliseconds(200));
        using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        other.Open();
        using var transaction = other.BeginTransaction(deferred: false); // holds the write lock, as a stuck process would

        var ex = Assert.Throws<SharedStateUnavailableException>(() => cache.Set("k", [1], NoExpiry));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("BusyTimeout", ex.Message, StringComparison.Ordinal);
        transaction.Rollback();
        cache.Set("k", [1], NoExpiry);
    }

    internal static byte[]? Increment(byte[]? current) =>
        Encoding.ASCII.GetBytes(((current is null ? 0 : int.Parse(Encoding.ASCII.GetString(current))) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
