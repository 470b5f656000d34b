using System.Security.Cryptography.X509Certificates;
using Roost.SharedState.Internal;

namespace Roost.SharedState;

/// <summary>
/// Where the state that every worker shares lives: sessions and other <c>IDistributedCache</c> entries, and the Data
/// Protection key ring. Either an embedded SQLite file in <see cref="Directory"/> (the default: one machine, no
/// server to install) or Redis (<see cref="Redis"/>: several machines).
/// </summary>
/// <remarks>
/// Setters store any value of the right type; <see cref="Validate"/> reports every out-of-range value at once, and
/// everything that uses the options (<c>AddRoostSharedState</c>, <c>UseSharedState</c>, <see cref="SharedStateSetup"/>,
/// <see cref="SharedBroadcast.Create"/>) calls it first.
/// </remarks>
public sealed partial class SharedStateOptions
{
    /// <summary>The longest timeout that fits the int milliseconds SQLite and StackExchange.Redis take (24.8 days).</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);


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
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how often expired entries are removed from the SQLite file (expired entries are never returned in between).</summary>
    /// <remarks>Defaults to 5 minutes.</remarks>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long a Redis operation (and the first connect) may take before the request gets 503.</summary>
    /// <remarks>Defaults to 2 seconds.</remarks>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long a façade session (<c>req.GetSessionAsync()</c>) lives without a request (sliding expiry).</summary>
    /// <remarks>Defaults to 20 minutes, as ASP.NET Core's <c>SessionOptions.IdleTimeout</c>.</remarks>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Gets or sets the name of the façade's session cookie.</summary>
    /// <remarks>Defaults to <c>roost.sid</c>.</remarks>
    public string SessionCookieName { get; set; } = "roost.sid";

    /// <summary>Gets the SQLite file's path.</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(Directory, "state.db"));

    /// <summary>Gets the Data Protection key folder's path.</summary>
    public string KeysDirectory => Path.GetFullPath(Path.Combine(Directory, "keys"));

    /// <summary>
    /// Checks every setting and reports every problem at once. <c>AddRoostSharedState</c>, <c>UseSharedState</c>,
    /// <see cref="SharedStateSetup.PrepareAsync"/> and <see cref="SharedBroadcast.Create"/> call it before they use the
    /// options; call it yourself to check settings read from configuration before anything starts.
    /// </summary>
    /// <remarks>
    /// Setters store any value of the right type; out-of-range values are reported here, one line each, naming the
    /// option, the value seen and what to do.
    /// </remarks>
    /// <exception cref="InvalidOptionsException">At least one setting is invalid; <see cref="InvalidOptionsException.Problems"/> lists each.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        AddProblems(problems);
        if (problems.Count > 0)
        {
            throw new InvalidOptionsException(problems);
        }
    }

    /// <summary>Adds a line per invalid setting to <paramref name="problems"/>, in the order the properties are declared.</summary>
    internal void AddProblems(List<string> problems)
    {
        if (Redis is null && string.IsNullOrWhiteSpace(Directory))
        {
            problems.Add(ErrorMessages.DirectoryEmpty(Directory));
        }

        if (Redis is { } blank && string.IsNullOrWhiteSpace(blank))
        {
            problems.Add(ErrorMessages.RedisAddressInvalid(blank, "it is blank; leave Redis null for the SQLite store"));
        }
        else if (Redis is { } address)
        {
            try
            {
                _ = RedisConnection.Parse(address, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                // RedisConnection's messages are ErrorMessages.RedisAddressInvalid (without a parameter name).
                problems.Add(ex.Message);
            }
        }

        if (ApplicationName is { } name && string.IsNullOrWhiteSpace(name))
        {
            problems.Add(ErrorMessages.ApplicationNameEmpty(name));
        }

        // The three timeouts below become int milliseconds (busy_timeout, StackExchange.Redis timeouts) or a
        // PeriodicTimer period, so they also have an upper bound; a session may idle as long as the user wants.
        AddTimeoutProblem(problems, nameof(BusyTimeout), BusyTimeout, bounded: true);
        AddTimeoutProblem(problems, nameof(CleanupInterval), CleanupInterval, bounded: true);
        AddTimeoutProblem(problems, nameof(RedisTimeout), RedisTimeout, bounded: true);
        AddTimeoutProblem(problems, nameof(SessionIdleTimeout), SessionIdleTimeout, bounded: false);

        if (string.IsNullOrWhiteSpace(SessionCookieName))
        {
            problems.Add(ErrorMessages.SessionCookieNameEmpty(SessionCookieName));
        }
    }

    private static void AddTimeoutProblem(List<string> problems, string name, TimeSpan value, bool bounded)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.NotPositive("SharedStateOptions." + name, value));
        }
        else if (bounded && value > MaxTimeout)
        {
            problems.Add(ErrorMessages.TooLong("SharedStateOptions." + name, value, MaxTimeout));
        }
    }
}
