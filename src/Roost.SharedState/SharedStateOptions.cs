using System.Security.Cryptography.X509Certificates;

namespace Roost.SharedState;

/// <summary>
/// Where the state that every worker shares lives: sessions and other <c>IDistributedCache</c> entries, and the Data
/// Protection key ring. Either an embedded SQLite file in <see cref="Directory"/> (the default: one machine, no
/// server to install) or Redis (<see cref="Redis"/>: several machines).
/// </summary>
public sealed partial class SharedStateOptions
{
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _cleanupInterval = TimeSpan.FromMinutes(5);
    private TimeSpan _redisTimeout = TimeSpan.FromSeconds(2);
    private TimeSpan _sessionIdleTimeout = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Gets or sets the folder that holds the SQLite file (<c>state.db</c>, mode 0600) and the Data Protection keys
    /// (<c>keys/</c>, mode 0700). Relative paths are resolved against the working directory. Every worker must use
    /// the same folder. Unused for the cache and keys when <see cref="Redis"/> is set.
    /// </summary>
    /// <remarks>Defaults to <c>.roost/state</c>.</remarks>
    public string Directory { get; set; } = Path.Combine(".roost", "state");

    /// <summary>
    /// Gets or sets the Redis address, e.g. <c>redis://127.0.0.1:6379</c> (<c>rediss://</c> for TLS,
    /// <c>redis://:password@host:port</c> with a password). When set, the cache and the key ring live in Redis.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the embedded SQLite store.</remarks>
    public string? Redis { get; set; }

    /// <summary>
    /// Gets or sets the Data Protection application name (<c>SetApplicationName</c>): cookies protected by one worker
    /// are read by every worker with the same name and key ring.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the host's application name (the entry assembly's name), or <c>Roost</c> for the façade.</remarks>
    public string? ApplicationName { get; set; }

    /// <summary>
    /// Gets or sets a certificate with a private key that encrypts the Data Protection keys at rest
    /// (<c>ProtectKeysWithCertificate</c>). Every worker needs the same certificate.
    /// </summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>: Linux has no machine-wide protector (DPAPI is Windows-only), so the keys are
    /// stored unencrypted, readable only by the server's user (folder 0700, files 0600) or by whoever can read Redis.
    /// </remarks>
    public X509Certificate2? KeyProtectionCertificate { get; set; }

    /// <summary>Gets or sets how long a SQLite operation waits for another process's write lock before failing with 503.</summary>
    /// <remarks>Defaults to 10 seconds.</remarks>
    public TimeSpan BusyTimeout
    {
        get => _busyTimeout;
        set => _busyTimeout = Positive(value, nameof(BusyTimeout));
    }

    /// <summary>Gets or sets how often expired entries are removed from the SQLite file (expired entries are never returned in between).</summary>
    /// <remarks>Defaults to 5 minutes.</remarks>
    public TimeSpan CleanupInterval
    {
        get => _cleanupInterval;
        set => _cleanupInterval = Positive(value, nameof(CleanupInterval));
    }

    /// <summary>Gets or sets how long a Redis operation (and the first connect) may take before the request gets 503.</summary>
    /// <remarks>Defaults to 2 seconds.</remarks>
    public TimeSpan RedisTimeout
    {
        get => _redisTimeout;
        set => _redisTimeout = Positive(value, nameof(RedisTimeout));
    }

    /// <summary>Gets or sets how long a façade session (<c>req.GetSessionAsync()</c>) lives without a request (sliding expiry).</summary>
    /// <remarks>Defaults to 20 minutes, as ASP.NET Core's <c>SessionOptions.IdleTimeout</c>.</remarks>
    public TimeSpan SessionIdleTimeout
    {
        get => _sessionIdleTimeout;
        set => _sessionIdleTimeout = Positive(value, nameof(SessionIdleTimeout));
    }

    /// <summary>Gets or sets the name of the façade's session cookie.</summary>
    /// <remarks>Defaults to <c>roost.sid</c>.</remarks>
    public string SessionCookieName { get; set; } = "roost.sid";

    /// <summary>Gets the SQLite file's path.</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(Directory, "state.db"));

    /// <summary>Gets the Data Protection key folder's path.</summary>
    public string KeysDirectory => Path.GetFullPath(Path.Combine(Directory, "keys"));

    private static TimeSpan Positive(TimeSpan value, string name) => value > TimeSpan.Zero
        ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, ErrorMessages.NotPositive("SharedStateOptions." + name, value));
}
