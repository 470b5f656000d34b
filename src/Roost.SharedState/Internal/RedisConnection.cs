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
    private volatile string? _lastFailure;

    public RedisConnection(string address, TimeSpan timeout)
    {
        Configuration = Parse(address, timeout);
        EndPoint = string.Join(",", Configuration.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<ConnectionMultiplexer>(Connect, LazyThreadSafetyMode.ExecutionAndPublication);
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

    public static ConfigurationOptions Parse(string address, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ConfigurationOptions configuration;
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss")
        {
            if (string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException(ErrorMessages.RedisAddressInvalid(address), nameof(address));
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
            throw new ArgumentException(ErrorMessages.RedisAddressInvalid(address), nameof(address));
        }
        else
        {
            // A StackExchange.Redis configuration string, e.g. "host:6379,password=…".
            configuration = ConfigurationOptions.Parse(address);
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
        if (!multiplexer.IsConnected)
        {
            _lastFailure = "the first connection attempt failed";
        }

        return multiplexer;
    }
}
