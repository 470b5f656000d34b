using Microsoft.Extensions.Caching.Distributed;

namespace Roost.SharedState;

/// <summary>
/// A read-modify-write on one cache entry that is atomic across every process sharing the store: no update is lost
/// and none is applied twice, however many workers update the same key at once.
/// </summary>
/// <remarks>
/// The SQLite store runs the update inside one <c>BEGIN IMMEDIATE</c> transaction (SQLite's single writer lock,
/// held for the read, the callback and the write). The Redis store is optimistic: it reads, calls the callback and
/// writes in a <c>MULTI</c>/<c>EXEC</c> transaction that commits only if the stored value is still the one it read,
/// retrying otherwise. So <c>update</c> may run more than once and must be a pure function of its argument.
/// </remarks>
public interface IAtomicCache
{
    /// <summary>Atomically replaces the value of <paramref name="key"/> with <c>update(current)</c>.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="update">
    /// Receives the current value (<see langword="null"/> when absent or expired) and returns the new value, or
    /// <see langword="null"/> to remove the entry. May be called more than once; must not have side effects.
    /// </param>
    /// <param name="options">The expiry of the written entry.</param>
    /// <param name="cancellationToken">Cancels the wait for the store.</param>
    /// <returns>The value written (<see langword="null"/> when removed).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="update"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="SharedStateUnavailableException">The store could not be reached or stayed busy too long.</exception>
    Task<byte[]?> UpdateAsync(string key, Func<byte[]?, byte[]?> update, DistributedCacheEntryOptions options, CancellationToken cancellationToken = default);
}
