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
/// <item>Expiry: absolute and sliding as <c>MemoryDistributedCache</c>, except that a sliding renewal that would move
/// the expiry by less than 1 second is skipped (so reads of a hot entry cost no write); expired entries are never
/// returned and are deleted by <see cref="RemoveExpiredAsync"/> (run periodically by the host).</item>
/// <item>Writers of one process queue on an in-process async gate per file before taking SQLite's lock, so threads
/// are not parked in SQLite's busy handler; the gate is per process, the SQLite lock covers all processes.</item>
/// <item>Files: the folder is created with mode 0700 and the database with 0600; SQLite gives the <c>-wal</c> and
/// <c>-shm</c> files the database's mode.</item>
/// </list>
/// Disposing clears the connection pool; it does not touch the file.
/// </remarks>
public sealed class SqliteDistributedCache : IDistributedCache, IAtomicCache, IDisposable
{
    private const string Table = "roost_cache";

    // Sliding renewals that would move the expiry by less than this are skipped: a read then costs no write when the
    // same entry was read or written within the last second (a session hit by every request of a busy client).
    private const long RefreshGranularityMs = 1000;

    // One writer gate per file per process: threads of this process queue here (asynchronously) instead of polling
    // SQLite's lock with busy-handler sleeps, which showed as 40-80 ms p99 under load. Other processes are still
    // serialized by SQLite's own write lock and busy_timeout.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate;

    // Checkpoints run here, off the request path: SQLite's automatic checkpoint runs in whichever request's commit
    // crosses 1,000 WAL pages and fsyncs the database there (40-110 ms p99 in benchmarks/results).
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);
    private readonly Timer _checkpointTimer;
    private int _checkpointing;
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
        _writeGate = WriteGates.GetOrAdd(Path, static _ => new SemaphoreSlim(1, 1));
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
        Write(Initialize);
        _checkpointTimer = new Timer(static state => ((SqliteDistributedCache)state!).Checkpoint(), this, CheckpointInterval, CheckpointInterval);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var (value, renewal) = Run(connection => Read(connection, key));
        if (renewal is { } expiresAt)
        {
            Write(connection => Renew(connection, key, expiresAt));
        }

        return value;
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var (value, renewal) = Run(connection => Read(connection, key));
        if (renewal is { } expiresAt)
        {
            await WriteAsync(connection => Renew(connection, key, expiresAt), token).ConfigureAwait(false);
        }

        return value;
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var expiry = CacheExpiry.From(options, _time.GetUtcNow());
        Write(connection => Upsert(connection, key, value, expiry));
    }

    /// <inheritdoc/>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var expiry = CacheExpiry.From(options, _time.GetUtcNow());
        return WriteAsync(connection => Upsert(connection, key, value, expiry), token);
    }

    /// <inheritdoc/>
    public void Refresh(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Run(connection => Read(connection, key, selectValue: false)).Renewal is { } expiresAt)
        {
            Write(connection => Renew(connection, key, expiresAt));
        }
    }

    /// <inheritdoc/>
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Run(connection => Read(connection, key, selectValue: false)).Renewal is { } expiresAt)
        {
            await WriteAsync(connection => Renew(connection, key, expiresAt), token).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Write(connection => Delete(connection, key));
    }

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(connection => Delete(connection, key), token);
    }

    /// <inheritdoc/>
    public Task<byte[]?> UpdateAsync(string key, Func<byte[]?, byte[]?> update, DistributedCacheEntryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(options);
        var expiry = CacheExpiry.From(options, _time.GetUtcNow());
        return WriteAsync(connection =>
        {
            // BEGIN IMMEDIATE takes the write lock before the read, so no other process can write between our read
            // and our write (a deferred transaction could fail with SQLITE_BUSY_SNAPSHOT when upgrading instead).
            using var transaction = connection.BeginTransaction(deferred: false);
            var current = Read(connection, key).Value;
            var next = update(current);
            if (next is null)
            {
                Delete(connection, key);
            }
            else
            {
                Upsert(connection, key, next, expiry);
            }

            transaction.Commit();
            return next;
        }, cancellationToken);
    }

    /// <summary>Deletes every expired entry.</summary>
    /// <param name="cancellationToken">Cancels before the delete starts.</param>
    /// <returns>The number of entries deleted.</returns>
    public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM {Table} WHERE expires_at <= $now;";
            command.Parameters.AddWithValue("$now", now);
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _checkpointTimer.Dispose();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void Checkpoint()
    {
        if (_disposed || Interlocked.Exchange(ref _checkpointing, 1) == 1)
        {
            return;
        }

        try
        {
            // PASSIVE: copies what it can without waiting for or blocking readers and writers.
            Run(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                return command.ExecuteNonQuery();
            });
        }
        catch (Exception ex) when (ex is SharedStateUnavailableException or ObjectDisposedException)
        {
            // Busy or disposed: the next tick tries again (or the timer is gone).
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
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

    /// <summary>Reads an unexpired entry; <c>Renewal</c> is the new sliding expiry when it is worth writing.</summary>
    private (byte[]? Value, long? Renewal) Read(SqliteConnection connection, string key, bool selectValue = true)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {(selectValue ? "value" : "NULL")}, expires_at, sliding_ms, absolute_at FROM {Table} WHERE key = $key AND expires_at > $now;";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", now);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return (null, null);
        }

        var value = reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0);
        var expiresAt = reader.GetInt64(1);
        if (reader.IsDBNull(2))
        {
            return (value, null);
        }

        var renewed = Math.Min(reader.IsDBNull(3) ? long.MaxValue : reader.GetInt64(3), now + reader.GetInt64(2));
        return (value, renewed - expiresAt >= RefreshGranularityMs ? renewed : null);
    }

    private void Renew(SqliteConnection connection, string key, long expiresAt)
    {
        // Only forward, and only while unexpired: a concurrent Set or Remove wins.
        using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {Table} SET expires_at = $expires WHERE key = $key AND sliding_ms IS NOT NULL AND expires_at < $expires AND expires_at > $now;";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$expires", expiresAt);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    private static void Upsert(SqliteConnection connection, string key, byte[] value, CacheExpiry expiry)
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

    private void Write(Action<SqliteConnection> action)
    {
        _writeGate.Wait();
        try
        {
            Run(connection =>
            {
                action(connection);
                return 0;
            });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private Task WriteAsync(Action<SqliteConnection> action, CancellationToken cancellationToken) => WriteAsync(connection =>
    {
        action(connection);
        return 0;
    }, cancellationToken);

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, T> action, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Run(action);
        }
        finally
        {
            _writeGate.Release();
        }
    }

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
            command.CommandText = _busyPragma + " PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;";
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
