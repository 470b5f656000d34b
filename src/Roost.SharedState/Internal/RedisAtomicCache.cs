using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Roost.SharedState.Internal;

/// <summary>
/// <see cref="IAtomicCache"/> on Redis, in the hash layout of <c>Microsoft.Extensions.Caching.StackExchangeRedis</c>
/// (fields <c>absexp</c>, <c>sldexp</c> in ticks or -1, <c>data</c>), so the <c>RedisCache</c> reads what it writes.
/// </summary>
/// <remarks>
/// Optimistic concurrency: read the value, compute, then <c>MULTI</c>/<c>EXEC</c> guarded by "the <c>data</c> field
/// still equals what was read" (or "is still absent"); on conflict, read again. Comparing the value itself rather
/// than a version keeps it correct when <c>RedisCache.Set</c> writes the same key.
/// </remarks>
internal sealed class RedisAtomicCache(RedisConnection connection, string instanceName, TimeProvider time) : IAtomicCache
{
    private const long NotPresent = -1;
    private static readonly RedisValue AbsoluteField = "absexp";
    private static readonly RedisValue SlidingField = "sldexp";
    private static readonly RedisValue DataField = "data";

    public async Task<byte[]?> UpdateAsync(string key, Func<byte[]?, byte[]?> update, DistributedCacheEntryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(options);
        var redisKey = (RedisKey)(instanceName + key);
        var database = connection.Database;
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var currentValue = await database.HashGetAsync(redisKey, DataField).ConfigureAwait(false);
            var current = currentValue.IsNull ? null : (byte[]?)currentValue;
            var next = update(current);

            var transaction = database.CreateTransaction();
            transaction.AddCondition(current is null ? Condition.HashNotExists(redisKey, DataField) : Condition.HashEqual(redisKey, DataField, current));
            if (next is null)
            {
                _ = transaction.KeyDeleteAsync(redisKey);
            }
            else
            {
                var now = time.GetUtcNow();
                var absolute = options.AbsoluteExpirationRelativeToNow is { } relative ? now + relative : options.AbsoluteExpiration;
                if (absolute is { } value && value <= now)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), value, ErrorMessages.AbsoluteExpirationInPast(value, now));
                }

                _ = transaction.HashSetAsync(redisKey,
                [
                    new HashEntry(AbsoluteField, absolute?.Ticks ?? NotPresent),
                    new HashEntry(SlidingField, options.SlidingExpiration?.Ticks ?? NotPresent),
                    new HashEntry(DataField, next),
                ]);
                var ttl = TimeToLive(now, absolute, options.SlidingExpiration);
                _ = ttl is { } expiry ? transaction.KeyExpireAsync(redisKey, expiry) : transaction.KeyPersistAsync(redisKey);
            }

            if (await transaction.ExecuteAsync().ConfigureAwait(false))
            {
                return next;
            }

            // Another worker wrote in between: back off a little (randomised, growing) and read again.
            await Task.Delay(Random.Shared.Next(0, Math.Min(1 + attempt, 20)), cancellationToken).ConfigureAwait(false);
        }
    }

    // As RedisCache computes it: the nearer of the absolute expiry and the sliding window.
    private static TimeSpan? TimeToLive(DateTimeOffset now, DateTimeOffset? absolute, TimeSpan? sliding)
    {
        TimeSpan? untilAbsolute = absolute is { } a ? a - now : null;
        return (untilAbsolute, sliding) switch
        {
            ({ } u, { } s) => u < s ? u : s,
            ({ } u, null) => u,
            (null, { } s) => s,
            _ => null,
        };
    }
}
