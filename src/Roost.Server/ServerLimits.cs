namespace Roost;

/// <summary>Numeric limits of a server. Defaults are Kestrel's, which suit most public servers.</summary>
/// <remarks>Each limit must be positive; <see cref="ServerOptions.Validate"/> (called by the <c>CreateServer</c> factories) reports each that is not.</remarks>
public sealed class ServerLimits
{
    /// <summary>Gets or sets the largest request body accepted, in bytes; <see langword="null"/> for no limit.</summary>
    /// <remarks>Defaults to 30,000,000 bytes (about 28.6 MiB). A larger body is answered with 413.</remarks>
    public long? MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>Gets or sets how long an idle keep-alive connection stays open.</summary>
    /// <remarks>Defaults to 130 seconds (longer than common load balancers' 120 s, so they close first).</remarks>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>Gets or sets how long a client may take to send the request headers.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the most HTTP/2 streams one connection may have open at once.</summary>
    /// <remarks>Defaults to 100 (Kestrel's and Node's default).</remarks>
    public int MaxConcurrentStreams { get; set; } = 100;

    /// <summary>Gets or sets the most connections open at once; <see langword="null"/> for no limit.</summary>
    /// <remarks>Defaults to no limit.</remarks>
    public long? MaxConcurrentConnections { get; set; }

    /// <summary>Adds a line per out-of-range limit to <paramref name="problems"/> (<see cref="ServerOptions.Validate"/>).</summary>
    internal void AddProblems(List<string> problems)
    {
        if (MaxRequestBodySize is <= 0)
        {
            problems.Add(ErrorMessages.LimitNotPositive(nameof(MaxRequestBodySize), MaxRequestBodySize.Value, nullAllowed: true));
        }

        if (KeepAliveTimeout <= TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.LimitNotPositive(nameof(KeepAliveTimeout), KeepAliveTimeout, nullAllowed: false));
        }

        if (RequestHeadersTimeout <= TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.LimitNotPositive(nameof(RequestHeadersTimeout), RequestHeadersTimeout, nullAllowed: false));
        }

        if (MaxConcurrentStreams <= 0)
        {
            problems.Add(ErrorMessages.LimitNotPositive(nameof(MaxConcurrentStreams), MaxConcurrentStreams, nullAllowed: false));
        }

        if (MaxConcurrentConnections is <= 0)
        {
            problems.Add(ErrorMessages.LimitNotPositive(nameof(MaxConcurrentConnections), MaxConcurrentConnections.Value, nullAllowed: true));
        }
    }
}
