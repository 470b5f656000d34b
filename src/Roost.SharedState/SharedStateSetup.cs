using Microsoft.Extensions.Logging;
using Roost.SharedState.Internal;

namespace Roost.SharedState;

/// <summary>What the primary (or a deploy step) runs once before starting workers.</summary>
public static class SharedStateSetup
{
    /// <summary>
    /// Creates the shared store and the key ring before any worker starts: for SQLite the folder (0700), the database
    /// file (0600, WAL, schema) and the key folder (0700); for Redis a connection check; then one Data Protection key
    /// if the ring has no usable one, under a cross-process lock. Idempotent; each worker also runs it at start
    /// (under the same lock), so calling it is what makes a primary fail early on a bad store, not what makes the
    /// workers safe.
    /// </summary>
    /// <param name="options">The same options the workers use.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="cancellationToken">Cancels the waits.</param>
    /// <returns>The number of keys in the ring.</returns>
    /// <exception cref="InvalidOptionsException">A setting is invalid (<see cref="SharedStateOptions.Validate"/>: every problem, one line each).</exception>
    /// <exception cref="SharedStateUnavailableException">The store cannot be created or reached.</exception>
    /// <exception cref="TimeoutException">Another process held the key-ring lock for more than 30 seconds.</exception>
    public static async Task<int> PrepareAsync(SharedStateOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var store = new SharedStore(options);
        if (loggerFactory is not null)
        {
            store.AttachLogger(loggerFactory);
        }

        try
        {
            if (store.Redis is { } redis)
            {
                await redis.Database.PingAsync().ConfigureAwait(false);
            }
            else
            {
                _ = store.Sqlite;
            }

            return await KeyRingPreparation.EnsureKeyAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedStore.IsStoreFailure(ex))
        {
            throw store.Unavailable(ex);
        }
    }

    /// <summary>
    /// The one line a cluster program adds before its first <c>Cluster.Fork()</c>: in the primary it runs
    /// <see cref="PrepareAsync"/> (store and key ring created once, before any worker starts, so workers that start
    /// together never race to create keys, and a bad store fails the primary before it forks); in a worker it returns
    /// at once (the primary did it).
    /// </summary>
    /// <param name="options">The same options the workers use.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="cancellationToken">Cancels the waits.</param>
    /// <returns>The number of keys in the ring in the primary; 0 in a worker.</returns>
    /// <exception cref="InvalidOptionsException">A setting is invalid (<see cref="SharedStateOptions.Validate"/>), in the primary and in a worker.</exception>
    /// <exception cref="SharedStateUnavailableException">The store cannot be created or reached (primary only).</exception>
    /// <exception cref="TimeoutException">Another process held the key-ring lock for more than 30 seconds.</exception>
    public static Task<int> PrepareInPrimaryAsync(SharedStateOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Cluster.IsWorker ? Task.FromResult(0) : PrepareAsync(options, loggerFactory, cancellationToken);
    }
}
