using Microsoft.Extensions.Caching.Distributed;

namespace Roost.SharedState.Internal;

/// <summary>An entry's expiry in unix milliseconds, computed once from <see cref="DistributedCacheEntryOptions"/>.</summary>
internal readonly record struct CacheExpiry(long ExpiresAt, long? SlidingMilliseconds, long? AbsoluteAt)
{
    public static CacheExpiry From(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        DateTimeOffset? absolute = options.AbsoluteExpiration;
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            absolute = now + relative;
        }

        if (absolute is { } value && value <= now)
        {
            // The same rule (and exception type) as MemoryDistributedCache.
            throw new ArgumentOutOfRangeException(nameof(options), value, ErrorMessages.AbsoluteExpirationInPast(value, now));
        }

        long? absoluteAt = absolute?.ToUnixTimeMilliseconds();
        long? sliding = options.SlidingExpiration is { } slide ? (long)slide.TotalMilliseconds : null;
        var nowMs = now.ToUnixTimeMilliseconds();
        var expiresAt = Math.Min(absoluteAt ?? long.MaxValue, sliding is { } s ? nowMs + s : long.MaxValue);
        return new CacheExpiry(expiresAt, sliding, absoluteAt);
    }
}
