using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Roost.SharedState.Internal;

/// <summary>
/// The one Redis connection a process shares between the cache, the atomic updates and the Data Protection key ring.
/// Connects lazily and never gives up (<c>AbortOnConnectFail = false</c>): while Redis is down, operations fail fast
/// with <see cref="RedisConnectionException"/> and the multiplexer reconnects in the background.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;
    private readonly TimeSpan _firstConnectWindow;
    private volatile string? _lastFailure;
    private volatile bool _everConnected;
    private long _connectStarted;

    public RedisConnection(string address, TimeSpan timeout)
    {
        Configuration = Parse(address, timeout);
        EndPoint = string.Join(",", Configuration.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<ConnectionMultiplexer>(Connect, LazyThreadSafetyMode.ExecutionAndPublication);

        // One connect attempt (ConnectTimeout = the timeout) plus the first reconnect attempt after it.
        _firstConnectWindow = (2 * timeout) + TimeSpan.FromMilliseconds(500);
    }

    public ConfigurationOptions Configuration { get; }

    /// <summary>Gets the address for messages and logs (no password).</summary>
    public string EndPoint { get; }

    public ILogger Logger { get; set; } = NullLogger.Instance;

    public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

    /// <summary>Gets why the connection is down, or <see langword="null"/> while it is up.</summary>
    public string? UnavailableReason => _multiplexer.IsValueCreated && !_multiplexer.Value.IsConnected
        ? _lastFailure ?? "not connected"
        : null;

    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>
    /// Until the first connection of this process has succeeded, waits for it, at most until the first-connect window
    /// (twice the timeout plus one reconnect interval, counted from the start of the connect) has passed; afterwards
    /// returns at once. So a request that arrives while the initial connect is still under way waits for it instead
    /// of getting 503, and a Redis that is down at start still gives 503s after a bounded wait.
    /// </summary>
    public async ValueTask WaitForFirstConnectAsync(CancellationToken cancellationToken)
    {
        if (_everConnected)
        {
            return;
        }

        var multiplexer = _multiplexer.IsValueCreated
            ? _multiplexer.Value
            : await Task.Run(() => _multiplexer.Value, cancellationToken).ConfigureAwait(false);
        var deadline = Volatile.Read(ref _connectStarted) + (long)(_firstConnectWindow.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (!multiplexer.IsConnected)
        {
            var remaining = deadline - System.Diagnostics.Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(25, remaining * 1000.0 / System.Diagnostics.Stopwatch.Frequency)), cancellationToken).ConfigureAwait(false);
        }

        _everConnected = true;
    }

    public static ConfigurationOptions Parse(string address, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ConfigurationOptions configuration;
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss")
        {
            if (string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException(ErrorMessages.RedisAddressInvalid(address));
            }

            configuration = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
            configuration.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
            var userInfo = Uri.UnescapeDataString(uri.UserInfo);
            if (userInfo.Length > 0)
            {
                var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
                configuration.User = colon > 0 ? userInfo[..colon] : (colon < 0 ? userInfo : null);
                configuration.Password = colon >= 0 ? userInfo[(colon + 1)..] : null;
            }
        }
        else if (address.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException(ErrorMessages.RedisAddressInvalid(address));
        }
        else
        {
            // A StackExchange.Redis configuration string, e.g. "host:6379,password=…".
            try
            {
                configuration = ConfigurationOptions.Parse(address);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException(ErrorMessages.RedisAddressInvalid(address, ex.Message), ex);
            }
        }

        var milliseconds = (int)timeout.TotalMilliseconds;
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = milliseconds;
        configuration.SyncTimeout = milliseconds;
        configuration.AsyncTimeout = milliseconds;
        configuration.ConnectRetry = 1;

        // While disconnected, fail at once (the request gets its 503 now) instead of queueing commands in the
        // backlog until the timeout: a down Redis should not hold every request for RedisTimeout.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;

        // Reconnect attempts every 500 ms while Redis is away, so service resumes within a second of its return.
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated)
        {
            await _multiplexer.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ConnectionMultiplexer Connect()
    {
        Volatile.Write(ref _connectStarted, System.Diagnostics.Stopwatch.GetTimestamp());
        var multiplexer = ConnectionMultiplexer.Connect(Configuration);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            // Short on purpose: this goes into 503 bodies; the full exception goes to the log below.
            _lastFailure = $"connection lost ({e.FailureType})";
            Log.RedisConnectionFailed(Logger, EndPoint, e.FailureType.ToString(), e.Exception);
        };
        multiplexer.ConnectionRestored += (_, _) =>
        {
            _lastFailure = null;
            Log.RedisConnectionRestored(Logger, EndPoint);
        };
        if (multiplexer.IsConnected)
        {
            _everConnected = true;
        }
        else
        {
            _lastFailure = "the first connection attempt failed";
        }

        return multiplexer;
    }
}
