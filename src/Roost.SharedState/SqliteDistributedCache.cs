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

    // Open connections kept for reuse, each with its prepared statements (more are opened under bursts and closed after).
    private const int MaxIdleConnections = 16;

    private const string ReadSql = $"SELECT value, expires_at, sliding_ms, absolute_at FROM {Table} WHERE key = $key AND expires_at > $now;";
    private const string ReadExpirySql = $"SELECT NULL, expires_at, sliding_ms, absolute_at FROM {Table} WHERE key = $key AND expires_at > $now;";
    private const string UpsertSql = $"""
        INSERT INTO {Table} (key, value, expires_at, sliding_ms, absolute_at) VALUES ($key, $value, $expires, $sliding, $absolute)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
            sliding_ms = excluded.sliding_ms, absolute_at = excluded.absolute_at;
        """;

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
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteLease> _leases = [];
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
            Pooling = false,
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
            // A failure before COMMIT leaves the transaction open: Run then closes the connection, which rolls it back.
            connection.Command("BEGIN IMMEDIATE;").ExecuteNonQuery();
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

            connection.Command("COMMIT;").ExecuteNonQuery();
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
            var command = connection.Command($"DELETE FROM {Table} WHERE expires_at <= $now;");
            command.Parameters["$now"].Value = now;
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
        while (_leases.TryTake(out var lease))
        {
            lease.Dispose();
        }
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
            Run(connection => connection.Command("PRAGMA wal_checkpoint(PASSIVE);").ExecuteNonQuery());
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

    private void Initialize(SqliteLease lease)
    {
        using var command = lease.Connection.CreateCommand();

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
    private (byte[]? Value, long? Renewal) Read(SqliteLease connection, string key, bool selectValue = true)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var command = connection.Command(selectValue ? ReadSql : ReadExpirySql);
        command.Parameters["$key"].Value = key;
        command.Parameters["$now"].Value = now;
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

    private void Renew(SqliteLease connection, string key, long expiresAt)
    {
        // Only forward, and only while unexpired: a concurrent Set or Remove wins.
        var command = connection.Command($"UPDATE {Table} SET expires_at = $expires WHERE key = $key AND sliding_ms IS NOT NULL AND expires_at < $expires AND expires_at > $now;");
        command.Parameters["$key"].Value = key;
        command.Parameters["$expires"].Value = expiresAt;
        command.Parameters["$now"].Value = _time.GetUtcNow().ToUnixTimeMilliseconds();
        command.ExecuteNonQuery();
    }

    private static void Upsert(SqliteLease connection, string key, byte[] value, CacheExpiry expiry)
    {
        var command = connection.Command(UpsertSql);
        command.Parameters["$key"].Value = key;
        command.Parameters["$value"].Value = value;
        command.Parameters["$expires"].Value = expiry.ExpiresAt;
        command.Parameters["$sliding"].Value = (object?)expiry.SlidingMilliseconds ?? DBNull.Value;
        command.Parameters["$absolute"].Value = (object?)expiry.AbsoluteAt ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private static void Delete(SqliteLease connection, string key)
    {
        var command = connection.Command($"DELETE FROM {Table} WHERE key = $key;");
        command.Parameters["$key"].Value = key;
        command.ExecuteNonQuery();
    }

    private void Write(Action<SqliteLease> action)
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

    private Task WriteAsync(Action<SqliteLease> action, CancellationToken cancellationToken) => WriteAsync(connection =>
    {
        action(connection);
        return 0;
    }, cancellationToken);

    private async Task<T> WriteAsync<T>(Func<SqliteLease, T> action, CancellationToken cancellationToken)
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

    private T Run<T>(Func<SqliteLease, T> action)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SqliteLease? lease = null;
        var reusable = false;
        try
        {
            lease = _leases.TryTake(out var idle) ? idle : Open();
            var result = action(lease);
            reusable = true;
            return result;
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
        finally
        {
            // Kept open with its prepared statements for the next operation of any thread; after a failure (maybe
            // mid-transaction) closed instead, which rolls back whatever was open.
            if (lease is not null)
            {
                if (reusable && !_disposed && _leases.Count < MaxIdleConnections)
                {
                    _leases.Add(lease);
                }
                else
                {
                    lease.Dispose();
                }
            }
        }
    }

    private SqliteLease Open()
    {
        SecureFiles.EnsureFile(Path);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();

            // Per connection, once: the connection is then kept open and reused (see Run).
            command.CommandText = _busyPragma + " PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;";
            command.ExecuteNonQuery();
            return new SqliteLease(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
