using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Roost.SharedState.Internal;

/// <summary>
/// Makes sure the shared key ring holds a usable key before any worker protects anything. Workers that start
/// together on an empty key ring would each create their own key (and reject each other's cookies until their next
/// key-ring refresh), so creation happens once, under a cross-process lock: a <c>flock</c> on <c>keys/.lock</c> for
/// the folder, <c>SET NX</c> on a lock key for Redis.
/// </summary>
internal static class KeyRingPreparation
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    // Data Protection's own default key lifetime; it rolls a new key 2 days before expiry, as we check below.
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);
    private static readonly TimeSpan RollWindow = TimeSpan.FromDays(2);

    public static async Task<int> EnsureKeyAsync(SharedStore store, CancellationToken cancellationToken)
    {
        var location = store.Redis is null ? store.Options.KeysDirectory : $"Redis key {SharedStore.KeyRingRedisKey} at {store.Redis.EndPoint}";
        await using var handle = await AcquireAsync(store, location, cancellationToken).ConfigureAwait(false);
        var services = new ServiceCollection();
        services.AddLogging();
        store.ConfigureKeyRing(services.AddDataProtection());
        await using var provider = services.BuildServiceProvider();
        var keyManager = provider.GetRequiredService<IKeyManager>();
        var now = DateTimeOffset.UtcNow;
        var keys = keyManager.GetAllKeys();
        if (!keys.Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now + RollWindow))
        {
            keyManager.CreateNewKey(now, now + KeyLifetime);
            keys = keyManager.GetAllKeys();
        }

        Log.KeyRingPrepared(store.Logger, location, store.Options.ApplicationName ?? "(host default)", keys.Count);
        return keys.Count;
    }

    private static async Task<IAsyncDisposable> AcquireAsync(SharedStore store, string location, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LockTimeout);
        try
        {
            return store.Redis is { } redis
                ? await RedisLock.AcquireAsync(redis, timeout.Token).ConfigureAwait(false)
                : await FileLock.AcquireAsync(Path.Combine(store.Options.KeysDirectory, ".lock"), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(ErrorMessages.KeyRingLockTimeout(location, LockTimeout));
        }
    }

    private sealed class FileLock(FileStream stream) : IAsyncDisposable
    {
        public static async Task<IAsyncDisposable> AcquireAsync(string path, CancellationToken cancellationToken)
        {
            SecureFiles.EnsureDirectory(Path.GetDirectoryName(path)!);
            while (true)
            {
                try
                {
                    // On Unix, FileShare.None takes flock(LOCK_EX | LOCK_NB); the kernel drops it if the process dies.
                    var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                    if (!OperatingSystem.IsWindows())
                    {
                        options.UnixCreateMode = SecureFiles.FileMode;
                    }

                    return new FileLock(new FileStream(path, options));
                }
                catch (IOException)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }

    private sealed class RedisLock(IDatabase database, string token) : IAsyncDisposable
    {
        private static readonly RedisKey Key = SharedStore.KeyRingRedisKey + ":lock";

        public static async Task<IAsyncDisposable> AcquireAsync(RedisConnection redis, CancellationToken cancellationToken)
        {
            var database = redis.Database;
            var token = Guid.NewGuid().ToString("N");
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Expires by itself so a process killed while holding it blocks the others for 30 s at most.
                if (await database.StringSetAsync(Key, token, LockTimeout, When.NotExists).ConfigureAwait(false))
                {
                    return new RedisLock(database, token);
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync() =>
            await database.LockReleaseAsync(Key, token).ConfigureAwait(false);
    }
}
