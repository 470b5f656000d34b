using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using Roost.SharedState.Internal;

namespace Roost.SharedState;

/// <summary>
/// A façade session (<c>await req.GetSessionAsync()</c>): string values per browser, stored in the shared store, so
/// every worker sees the same session. Every change is one atomic update of the stored session (see
/// <see cref="IAtomicCache"/>): concurrent requests of the same browser on different workers lose no change.
/// </summary>
/// <remarks>
/// Valid for the request that got it. <see cref="Values"/> is the state as loaded, then as written by this request's
/// last change. Each change renews the sliding expiry (<see cref="SharedStateOptions.SessionIdleTimeout"/>).
/// </remarks>
public sealed class RoostSession
{
    private readonly SharedStore _store;
    private readonly string _storeKey;
    private readonly DistributedCacheEntryOptions _expiry;
    private readonly (string Method, string Path) _request;
    private Dictionary<string, string> _values;

    internal RoostSession(string id, bool isNew, Dictionary<string, string> values, SharedStore store, (string Method, string Path) request)
    {
        _request = request;
        Id = id;
        IsNew = isNew;
        _values = values;
        _store = store;
        _storeKey = StoreKey(id);
        _expiry = new DistributedCacheEntryOptions { SlidingExpiration = store.Options.SessionIdleTimeout };
    }

    /// <summary>Gets the session id (the cookie value): 256 random bits, base64url.</summary>
    public string Id { get; }

    /// <summary>Gets a value indicating whether this request started the session (no valid cookie came with it).</summary>
    public bool IsNew { get; }

    /// <summary>Gets the values as last loaded or written by this request.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Gets one value, or <see langword="null"/>.</summary>
    /// <param name="key">The name.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>Sets (or with <see langword="null"/> removes) one value.</summary>
    /// <param name="key">The name.</param>
    /// <param name="value">The value, or <see langword="null"/> to remove it.</param>
    /// <param name="cancellationToken">Cancels the wait for the store.</param>
    /// <returns>A task that completes when the change is stored.</returns>
    /// <exception cref="SharedStateUnavailableException">The store is unreachable (the handler answers 503).</exception>
    public Task SetAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return UpdateAsync(values =>
        {
            if (value is null)
            {
                values.Remove(key);
            }
            else
            {
                values[key] = value;
            }
        }, cancellationToken);
    }

    /// <summary>Atomically adds <paramref name="by"/> to an integer value (absent counts as 0).</summary>
    /// <param name="key">The name.</param>
    /// <param name="by">The amount.</param>
    /// <param name="cancellationToken">Cancels the wait for the store.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="SharedStateUnavailableException">The store is unreachable (the handler answers 503).</exception>
    public async Task<long> IncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await UpdateAsync(values =>
        {
            var current = values.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
            values[key] = (current + by).ToString(CultureInfo.InvariantCulture);
        }, cancellationToken).ConfigureAwait(false);
        return long.Parse(_values[key], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Atomically applies <paramref name="change"/> to the stored values. <paramref name="change"/> may run more than
    /// once (on Redis, when another worker wrote in between) and must only modify the dictionary it gets.
    /// </summary>
    /// <param name="change">Modifies the current values.</param>
    /// <param name="cancellationToken">Cancels the wait for the store.</param>
    /// <returns>A task that completes when the change is stored.</returns>
    /// <exception cref="SharedStateUnavailableException">The store is unreachable (the handler answers 503).</exception>
    public async Task UpdateAsync(Action<IDictionary<string, string>> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        Dictionary<string, string>? written = null;
        await RunAsync(_store, _request, () => _store.Atomic.UpdateAsync(_storeKey, current =>
        {
            var values = SessionCodec.Decode(current);
            change(values);
            written = values;
            return SessionCodec.Encode(values);
        }, _expiry, cancellationToken)).ConfigureAwait(false);
        _values = written!;
    }

    /// <summary>Deletes the session from the store (the cookie stays; the next request starts empty).</summary>
    /// <param name="cancellationToken">Cancels the wait for the store.</param>
    /// <returns>A task that completes when the session is deleted.</returns>
    /// <exception cref="SharedStateUnavailableException">The store is unreachable (the handler answers 503).</exception>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(_store, _request, () => _store.Cache.RemoveAsync(_storeKey, cancellationToken)).ConfigureAwait(false);
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    internal static string StoreKey(string id) => "roost-session:" + id;

    internal static async Task<RoostSession> LoadAsync(string id, bool isNew, SharedStore store, (string Method, string Path) request, CancellationToken cancellationToken)
    {
        if (isNew)
        {
            return new RoostSession(id, isNew, new Dictionary<string, string>(StringComparer.Ordinal), store, request);
        }

        byte[]? data = null;
        await RunAsync(store, request, async () => data = await store.Cache.GetAsync(StoreKey(id), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return new RoostSession(id, isNew, SessionCodec.Decode(data), store, request);
    }

    private static async Task RunAsync(SharedStore store, (string Method, string Path) request, Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedStore.IsStoreFailure(ex))
        {
            // The dispatcher answers 503 with this message; the reason is logged here, once.
            var unavailable = store.Unavailable(ex);
            Log.StoreUnavailable(store.Logger, request.Method, request.Path, unavailable.Message, ex);
            throw unavailable;
        }
    }
}
