namespace Roost;

/// <summary>Numeric limits of a server. Defaults are Kestrel's, which suit most public servers.</summary>
public sealed class ServerLimits
{
    private long? _maxRequestBodySize = 30_000_000;
    private TimeSpan _keepAliveTimeout = TimeSpan.FromSeconds(130);
    private TimeSpan _requestHeadersTimeout = TimeSpan.FromSeconds(30);
    private int _maxConcurrentStreams = 100;
    private long? _maxConcurrentConnections;

    /// <summary>Gets or sets the largest request body accepted, in bytes; <see langword="null"/> for no limit.</summary>
    /// <remarks>Defaults to 30,000,000 bytes (about 28.6 MiB). A larger body is answered with 413.</remarks>
    public long? MaxRequestBodySize
    {
        get => _maxRequestBodySize;
        set => _maxRequestBodySize = value is null or > 0 ? value : throw OutOfRange(nameof(MaxRequestBodySize), value.Value, nullAllowed: true);
    }

    /// <summary>Gets or sets how long an idle keep-alive connection stays open.</summary>
    /// <remarks>Defaults to 130 seconds (longer than common load balancers' 120 s, so they close first).</remarks>
    public TimeSpan KeepAliveTimeout
    {
        get => _keepAliveTimeout;
        set => _keepAliveTimeout = value > TimeSpan.Zero ? value : throw OutOfRange(nameof(KeepAliveTimeout), value, nullAllowed: false);
    }

    /// <summary>Gets or sets how long a client may take to send the request headers.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan RequestHeadersTimeout
    {
        get => _requestHeadersTimeout;
        set => _requestHeadersTimeout = value > TimeSpan.Zero ? value : throw OutOfRange(nameof(RequestHeadersTimeout), value, nullAllowed: false);
    }

    /// <summary>Gets or sets the most HTTP/2 streams one connection may have open at once.</summary>
    /// <remarks>Defaults to 100 (Kestrel's and Node's default).</remarks>
    public int MaxConcurrentStreams
    {
        get => _maxConcurrentStreams;
        set => _maxConcurrentStreams = value > 0 ? value : throw OutOfRange(nameof(MaxConcurrentStreams), value, nullAllowed: false);
    }

    /// <summary>Gets or sets the most connections open at once; <see langword="null"/> for no limit.</summary>
    /// <remarks>Defaults to no limit.</remarks>
    public long? MaxConcurrentConnections
    {
        get => _maxConcurrentConnections;
        set => _maxConcurrentConnections = value is null or > 0 ? value : throw OutOfRange(nameof(MaxConcurrentConnections), value.Value, nullAllowed: true);
    }

    private static ArgumentOutOfRangeException OutOfRange<T>(string name, T value, bool nullAllowed) =>
        new("value", value, ErrorMessages.LimitNotPositive(name, value, nullAllowed));
}
