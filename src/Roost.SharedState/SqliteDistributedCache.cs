using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Roost.SharedState.Internal;

namespace Roost.SharedState;

/// <summary>
/// An <see cref="IDistributedCache"/> on one SQLite file in WAL mode, shared safely by every process that opens the
/// same path: the embedded store behind sessions when no Redis is configured.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Concurrency: every write is one statement or one <c>BEGIN IMMEDIATE</c> transaction, so writers queue on
/// SQLite's write lock (waiting up to the busy timeout) instead of failing; readers never block writers (WAL).</item>
/// <item>Durability: <c>synchronous=NORMAL</c> in WAL mode: a committed write survives the process being killed
/// (SIGKILL); only an OS crash or power loss can lose the last transactions.</item>
/// <item>Expiry: absolute and sliding as <c>MemoryDistributedCache</c>; expired entries are never returned and are
/// deleted by <see cref="RemoveExpiredAsync"/> (run periodically by the host).</item>
/// <item>Files: the folder is created with mode 0700 and the database with 0600; SQLite gives the <c>-wal</c> and
/// <c>-shm</c> files the database's mode.</item>
/// </list>
/// Disposing clears the connection pool; it does not touch the file.
/// </remarks>
public sealed class SqliteDistributedCache : IDistributedCache, IAtomicCache, IDisposable
{
    private const string Table = "roost_cache";
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly TimeSpan _busyTimeout;
    private readonly string _busyPragma;
    private bool _disposed;

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The database file; its folder is created if missing.</param>
    /// <param name="busyTimeout">How long to wait for another process's write lock; defaults to 10 seconds.</param>
    /// <param name="timeProvider">The clock for expiry; defaults to the system clock.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="SharedStateUnavailableException">The file cannot be created or opened.</exception>
    public SqliteDistributedCache(string path, TimeSpan? busyTimeout = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _time = timeProvider ?? TimeProvider.System;
        _busyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10);
        _busyPragma = $"PRAGMA busy_timeout = {(long)_busyTimeout.TotalMilliseconds};";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_busyTimeout.TotalSeconds)),
        }.ToString();
        Run(Initialize);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Run(connection => Read(connection, key, refresh: true));
    }

    /// <inheritdoc/>
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        return Task.FromResult(Get(key));
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var expiry = CacheExpiry.From(options, _time.GetUtcNow());
        Run(connection => Write(connection, key, value, expiry));
    }

    /// <inheritdoc/>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Set(key, value, options);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Refresh(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Run(connection => Read(connection, key, refresh: true, selectValue: false));
    }

    /// <inheritdoc/>
    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Refresh(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Run(connection => Delete(connection, key));
    }

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Remove(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<byte[]?> UpdateAsync(string key, Func<byte[]?, byte[]?> update, DistributedCacheEntryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var expiry = CacheExpiry.From(options, _time.GetUtcNow());
        return Task.FromResult(Run(connection =>
        {
            // BEGIN IMMEDIATE takes the write lock before the read, so no other process can write between our read
            // and our write (a deferred transaction could fail with SQLITE_BUSY_SNAPSHOT when upgrading instead).
            using var transaction = connection.BeginTransaction(deferred: false);
            var current = Read(connection, key, refresh: false);
            var next = update(current);
            if (next is null)
            {
                Delete(connection, key);
            }
            else
            {
                Write(connection, key, next, expiry);
            }

            transaction.Commit();
            return next;
        }));
    }

    /// <summary>Deletes every expired entry.</summary>
    /// <param name="cancellationToken">Cancels before the delete starts.</param>
    /// <returns>The number of entries deleted.</returns>
    public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return Task.FromResult(Run(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {Table} WHERE expires_at <= $now;";
            command.Parameters.AddWithValue("$now", now);
            return command.ExecuteNonQuery();
        }));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void Initialize(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();

        // WAL is a property of the file: set once, every later connection (any process) uses it.
        command.CommandText = "PRAGMA journal_mode;";
        if (!string.Equals(command.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            command.CommandText = "PRAGMA journal_mode = WAL;";
            command.ExecuteNonQuery();
        }

        // expires_at: when the entry stops being returned (unix ms; long.MaxValue = never); sliding_ms and
        // absolute_at (nullable) recompute it on access, as MemoryDistributedCache does.
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                key TEXT NOT NULL PRIMARY KEY,
                value BLOB NOT NULL,
                expires_at INTEGER NOT NULL,
                sliding_ms INTEGER NULL,
                absolute_at INTEGER NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS {Table}_expires_at ON {Table} (expires_at);
            """;
        command.ExecuteNonQuery();
    }

    private byte[]? Read(SqliteConnection connection, string key, bool refresh, bool selectValue = true)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        byte[]? value = null;
        long? sliding = null;
        long? absolute = null;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {(selectValue ? "value" : "NULL")}, sliding_ms, absolute_at FROM {Table} WHERE key = $key AND expires_at > $now;";
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$now", now);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            value = reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0);
            sliding = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            absolute = reader.IsDBNull(2) ? null : reader.GetInt64(2);
        }

        if (refresh && sliding is { } slidingMs)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE {Table} SET expires_at = $expires WHERE key = $key AND expires_at > $now;";
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$expires", Math.Min(absolute ?? long.MaxValue, now + slidingMs));
            command.ExecuteNonQuery();
        }

        return value;
    }

    private static void Write(SqliteConnection connection, string key, byte[] value, CacheExpiry expiry)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {Table} (key, value, expires_at, sliding_ms, absolute_at) VALUES ($key, $value, $expires, $sliding, $absolute)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
                sliding_ms = excluded.sliding_ms, absolute_at = excluded.absolute_at;
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.Add("$value", SqliteType.Blob).Value = value;
        command.Parameters.AddWithValue("$expires", expiry.ExpiresAt);
        command.Parameters.AddWithValue("$sliding", (object?)expiry.SlidingMilliseconds ?? DBNull.Value);
        command.Parameters.AddWithValue("$absolute", (object?)expiry.AbsoluteAt ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static void Delete(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {Table} WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        command.ExecuteNonQuery();
    }

    private void Run(Action<SqliteConnection> action) => Run(connection =>
    {
        action(connection);
        return 0;
    });

    private T Run<T>(Func<SqliteConnection, T> action)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            using var connection = Open();
            return action(connection);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
        {
            // SQLITE_BUSY / SQLITE_LOCKED after busy_timeout (and Microsoft.Data.Sqlite's own retries) ran out.
            throw new SharedStateUnavailableException(ErrorMessages.SqliteBusy(Path, _busyTimeout), ex);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new SharedStateUnavailableException(ErrorMessages.SqliteFailed(Path, ex.Message), ex);
        }
    }

    private SqliteConnection Open()
    {
        SecureFiles.EnsureFile(Path);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();

            // Per connection (pooled connections keep it, but a new physical connection starts at 0 = fail at once).
            command.CommandText = _busyPragma + " PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
