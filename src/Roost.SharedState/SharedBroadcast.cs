using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Roost.SharedState.Internal;
using StackExchange.Redis;

namespace Roost.SharedState;

/// <summary>
/// One message to every process that runs this app, e.g. "drop cache entry X" so every worker forgets a stale value.
/// Same transport choice as the rest of the shared state: with <see cref="SharedStateOptions.Redis"/> set it is Redis
/// pub/sub (every process of every machine on that Redis), otherwise <see cref="Cluster.Broadcast(JsonElement)"/>
/// over the cluster's IPC (every worker of this cluster, and the primary).
/// </summary>
/// <remarks>
/// <para>The sender receives its own message, on both transports (Redis delivers to every subscriber, the publisher's
/// connection included): a subscriber that drops a cache entry does so in the process that changed the data too.
/// Compare <see cref="BroadcastReceivedEventArgs.IsFromSelf"/> to skip your own.</para>
/// <para>Delivery is at most once to the processes connected when it is sent: nothing is stored, a process that
/// starts later or is disconnected at that moment does not get it. Subscribers run one message at a time, in order
/// per sender; a subscriber that throws is logged (event 4041) and the others still run. A message that is not JSON
/// or is larger than <see cref="MaxMessageBytes"/> (someone ran <c>PUBLISH</c> by hand) is dropped and logged (4040).</para>
/// <para>ASP.NET Core: <c>AddRoostSharedState</c> registers one as a singleton. Façade: <see cref="Create"/>.</para>
/// </remarks>
public sealed class SharedBroadcast : IAsyncDisposable
{
    /// <summary>The largest message, in UTF-8 bytes of its JSON: 1 MiB, the cluster IPC's limit.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private const string ChannelPrefix = "roost:broadcast";

    private readonly RedisConnection? _redis;
    private readonly bool _ownsRedis;
    private readonly RedisChannel _channel;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly string _senderTag = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<BroadcastReceivedEventArgs>[] _handlers = [];
    private ChannelMessageQueue? _queue;
    private bool _listening;

    internal SharedBroadcast(SharedStateOptions options, RedisConnection? redis, bool ownsRedis, ILogger logger)
    {
        _redis = redis;
        _ownsRedis = ownsRedis;
        _logger = logger;
        _channel = RedisChannel.Literal(options.ApplicationName is { } name ? $"{ChannelPrefix}:{name}" : ChannelPrefix);
        Transport = redis is null ? "the cluster IPC" : $"Redis pub/sub at {redis.EndPoint} (channel {_channel})";
    }

    /// <summary>Gets where messages travel, for logs: <c>the cluster IPC</c> or <c>Redis pub/sub at host:port (channel …)</c>.</summary>
    public string Transport { get; }

    /// <summary>Creates one for a façade program (ASP.NET Core apps get it from their services).</summary>
    /// <param name="options">The same shared-state options the servers use.</param>
    /// <param name="loggerFactory">Where dropped messages and failing subscribers are logged.</param>
    /// <returns>The broadcaster; dispose it at the end (it closes its own Redis connection).</returns>
    /// <exception cref="InvalidOptionsException">A setting is invalid (<see cref="SharedStateOptions.Validate"/>: every problem, one line each).</exception>
    public static SharedBroadcast Create(SharedStateOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var logger = loggerFactory?.CreateLogger("Roost.SharedState") ?? NullLogger.Instance;
        var redis = options.Redis is { } address ? new RedisConnection(address, options.RedisTimeout) { Logger = logger } : null;
        return new SharedBroadcast(options, redis, ownsRedis: true, logger);
    }

    /// <summary>Calls <paramref name="handler"/> for every broadcast from now on (the sender's own included).</summary>
    /// <param name="handler">Runs on a background thread, one message at a time: keep it short.</param>
    /// <returns>Dispose it to unsubscribe.</returns>
    public IDisposable Subscribe(Action<BroadcastReceivedEventArgs> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            if (!_listening)
            {
                _listening = true;
                StartListening();
            }
        }

        return new Subscription(this, handler);
    }

    /// <summary>
    /// Same as <see cref="Subscribe"/>, and completes once messages are actually being received (Redis: the
    /// <c>SUBSCRIBE</c> was acknowledged), so a message published after it is not missed. Use it at startup before
    /// reporting ready.
    /// </summary>
    /// <param name="handler">Runs on a background thread, one message at a time: keep it short.</param>
    /// <param name="cancellationToken">Stops waiting (the subscription stays).</param>
    /// <returns>Dispose it to unsubscribe.</returns>
    public async Task<IDisposable> SubscribeAsync(Action<BroadcastReceivedEventArgs> handler, CancellationToken cancellationToken = default)
    {
        var subscription = Subscribe(handler);
        await _subscribed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return subscription;
    }

    /// <summary>Sends <paramref name="message"/> to every process (this one included).</summary>
    /// <param name="message">Any JSON value, at most <see cref="MaxMessageBytes"/> as UTF-8 JSON.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>A task that completes when the message was handed to Redis or to the primary.</returns>
    /// <exception cref="ArgumentException">The message is larger than <see cref="MaxMessageBytes"/>.</exception>
    /// <exception cref="SharedStateUnavailableException">Redis is unreachable, or this worker's primary is gone; a façade handler answers 503.</exception>
    public async Task PublishAsync(JsonElement message, CancellationToken cancellationToken = default)
    {
        var json = message.GetRawText();
        var length = Encoding.UTF8.GetByteCount(json);
        if (length > MaxMessageBytes)
        {
            throw new ArgumentException(ErrorMessages.BroadcastTooLarge(length, MaxMessageBytes), nameof(message));
        }

        if (_redis is null)
        {
            if (!Cluster.Broadcast(message))
            {
                throw new SharedStateUnavailableException(ErrorMessages.BroadcastPrimaryGone(), null);
            }

            return;
        }

        try
        {
            await _redis.WaitForFirstConnectAsync(cancellationToken).ConfigureAwait(false);
            var envelope = JsonSerializer.Serialize(new BroadcastEnvelope(_senderTag, message), BroadcastJsonContext.Default.BroadcastEnvelope);
            await _redis.Multiplexer.GetSubscriber().PublishAsync(_channel, envelope).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new SharedStateUnavailableException(ErrorMessages.RedisUnavailable(_redis.EndPoint, _redis.UnavailableReason ?? ex.GetType().Name), ex);
        }
    }

    /// <summary>Sends a string (as a JSON string); see <see cref="PublishAsync(JsonElement, CancellationToken)"/>.</summary>
    /// <param name="message">The text.</param>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>A task that completes when the message was sent.</returns>
    public Task PublishAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PublishAsync(JsonSerializer.SerializeToElement(message, BroadcastJsonContext.Default.String), cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _handlers = [];
        }

        Cluster.BroadcastReceived -= OnClusterBroadcast;
        if (_queue is not null)
        {
            try
            {
                await _queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Redis is down: the subscription dies with the connection.
            }
        }

        if (_ownsRedis && _redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void StartListening()
    {
        if (_redis is null)
        {
            Cluster.BroadcastReceived += OnClusterBroadcast;
            _subscribed.TrySetResult();
            return;
        }

        // StackExchange.Redis re-subscribes by itself after a reconnect; only the first subscribe can fail (Redis
        // down at start), and then it is retried when the connection comes (back).
        _ = SubscribeRedisAsync();
    }

    private async Task SubscribeRedisAsync()
    {
        var redis = _redis!;
        while (true)
        {
            try
            {
                await redis.WaitForFirstConnectAsync(CancellationToken.None).ConfigureAwait(false);
                var queue = await redis.Multiplexer.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
                queue.OnMessage(OnRedisMessage);
                _queue = queue;
                _subscribed.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.BroadcastSubscribeFailed(_logger, Transport, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void OnClusterBroadcast(object? sender, ClusterBroadcastEventArgs e) =>
        Deliver(new BroadcastReceivedEventArgs(e.Message, e.IsFromSelf));

    private void OnRedisMessage(ChannelMessage message)
    {
        byte[]? bytes = message.Message;
        var length = bytes?.LongLength ?? 0;
        if (length > MaxMessageBytes + 1024)
        {
            Log.BroadcastRejected(_logger, Transport, $"the message is {length} bytes, more than the limit of {MaxMessageBytes} bytes", length);
            return;
        }

        BroadcastEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(bytes, BroadcastJsonContext.Default.BroadcastEnvelope);
        }
        catch (JsonException ex)
        {
            Log.BroadcastRejected(_logger, Transport, "not a Roost broadcast: " + ex.Message, length);
            return;
        }

        if (envelope is null || envelope.Sender is null || envelope.Message.ValueKind == JsonValueKind.Undefined)
        {
            Log.BroadcastRejected(_logger, Transport, "not a Roost broadcast: the 'sender' or 'message' property is missing", length);
            return;
        }

        Deliver(new BroadcastReceivedEventArgs(envelope.Message, envelope.Sender == _senderTag));
    }

    private void Deliver(BroadcastReceivedEventArgs args)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(args);
            }
            catch (Exception ex)
            {
                Log.BroadcastHandlerFailed(_logger, ex);
            }
        }
    }

    private void Remove(Action<BroadcastReceivedEventArgs> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(SharedBroadcast owner, Action<BroadcastReceivedEventArgs> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
