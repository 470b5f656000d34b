using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Roost.SharedState.Internal;

/// <summary>
/// The store one process uses, chosen once from <see cref="SharedStateOptions"/>: the SQLite file, or Redis. Owns the
/// cache, the atomic updater and (for Redis) the connection; tells whether an exception means "store unavailable".
/// </summary>
internal sealed class SharedStore : IAsyncDisposable
{
    private readonly Lazy<SqliteDistributedCache>? _sqlite;
    private readonly Lazy<RedisCache>? _redisCache;
    private readonly Lazy<RedisAtomicCache>? _redisAtomic;

    public SharedStore(SharedStateOptions options, TimeProvider? time = null)
    {
        // Every invalid setting at once, before a file is opened or a connection made.
        options.Validate();
        Options = options;
        var clock = time ?? TimeProvider.System;
        if (options.Redis is { } address)
        {
            Redis = new RedisConnection(address, options.RedisTimeout);
            Description = $"Redis at {Redis.EndPoint}";
            _redisCache = new Lazy<RedisCache>(() => new RedisCache(new RedisCacheOptions
            {
                InstanceName = CacheInstanceName,
                ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(Redis.Multiplexer),
            }));
            _redisAtomic = new Lazy<RedisAtomicCache>(() => new RedisAtomicCache(Redis, CacheInstanceName, clock));
        }
        else
        {
            Description = $"SQLite file {options.DatabasePath}";
            _sqlite = new Lazy<SqliteDistributedCache>(() => new SqliteDistributedCache(options.DatabasePath, options.BusyTimeout, clock));
        }
    }

    /// <summary>The prefix of cache keys in Redis.</summary>
    public const string CacheInstanceName = "roost:cache:";

    /// <summary>The Redis key of the Data Protection key ring.</summary>
    public const string KeyRingRedisKey = "roost:dataprotection-keys";

    public SharedStateOptions Options { get; }

    public RedisConnection? Redis { get; }

    public string Description { get; }

    public ILogger Logger { get; private set; } = NullLogger.Instance;

    public IDistributedCache Cache => _sqlite is not null ? _sqlite.Value : _redisCache!.Value;

    public IAtomicCache Atomic => _sqlite is not null ? _sqlite.Value : _redisAtomic!.Value;

    public SqliteDistributedCache? Sqlite => _sqlite?.Value;

    /// <summary>Redis: waits (bounded) while the process's first connection is still being made; SQLite: nothing.</summary>
    public ValueTask WaitForFirstConnectAsync(CancellationToken cancellationToken) =>
        Redis?.WaitForFirstConnectAsync(cancellationToken) ?? ValueTask.CompletedTask;

    public void AttachLogger(ILoggerFactory loggerFactory)
    {
        Logger = loggerFactory.CreateLogger("Roost.SharedState");
        if (Redis is not null)
        {
            Redis.Logger = Logger;
        }
    }

    /// <summary>Points the Data Protection key ring at the shared folder or Redis, with the optional certificate.</summary>
    public void ConfigureKeyRing(IDataProtectionBuilder builder)
    {
        if (Redis is not null)
        {
            builder.PersistKeysToStackExchangeRedis(() => Redis.Database, KeyRingRedisKey);
        }
        else
        {
            SecureFiles.EnsureDirectory(Options.KeysDirectory);
            builder.PersistKeysToFileSystem(new DirectoryInfo(Options.KeysDirectory));
        }

        if (Options.KeyProtectionCertificate is { } certificate)
        {
            builder.ProtectKeysWithCertificate(certificate);
        }
    }

    /// <summary>Whether <paramref name="exception"/> means the store is unreachable or busy (503), not a bug (500).</summary>
    public static bool IsStoreFailure(Exception exception) =>
        exception is SharedStateUnavailableException or RedisException or RedisTimeoutException or SqliteException;

    /// <summary>Turns a store failure into the exception answered with 503, with a message naming the store.</summary>
    public SharedStateUnavailableException Unavailable(Exception? exception)
    {
        if (exception is SharedStateUnavailableException unavailable)
        {
            return unavailable;
        }

        if (Redis is not null)
        {
            // StackExchange.Redis messages carry connection internals: keep them for the log, not the 503 body.
            var detail = Redis.UnavailableReason ?? exception switch
            {
                TimeoutException => $"no answer within {Options.RedisTimeout.TotalSeconds:0.###} s (SharedStateOptions.RedisTimeout)",
                null => "no answer",
                _ => exception.GetType().Name,
            };
            return new SharedStateUnavailableException(ErrorMessages.RedisUnavailable(Redis.EndPoint, detail), exception);
        }

        return exception is null
            ? new SharedStateUnavailableException(ErrorMessages.SessionNotLoaded(Description), null)
            : new SharedStateUnavailableException(ErrorMessages.SqliteFailed(Options.DatabasePath, exception.Message), exception);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlite is { IsValueCreated: true })
        {
            _sqlite.Value.Dispose();
        }

        if (_redisCache is { IsValueCreated: true })
        {
            _redisCache.Value.Dispose();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync().ConfigureAwait(false);
        }
    }
}
