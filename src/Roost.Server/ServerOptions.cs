using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Roost;

/// <summary>Settings of a server created by <see cref="Http"/>, <see cref="Https"/> or <see cref="Http2"/>.</summary>
public class ServerOptions
{
    private TimeSpan _shutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Gets the numeric limits.</summary>
    public ServerLimits Limits { get; } = new();

    /// <summary>Gets the HTTP/2 protections (floods end with GOAWAY) and the two-step GOAWAY of a graceful close.</summary>
    public Http2Options Http2 { get; } = new();

    /// <summary>Gets or sets how long a graceful close waits for in-flight requests before aborting them.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan ShutdownTimeout
    {
        get => _shutdownTimeout;
        set => _shutdownTimeout = value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, ErrorMessages.ShutdownTimeoutNegative(value));
    }

    /// <summary>
    /// Gets or sets a value indicating whether SIGINT and SIGTERM close the server gracefully (in-flight requests
    /// finish, then the process can exit). A second signal terminates at once.
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool HandleShutdownSignals { get; set; } = true;

    /// <summary>Gets or sets the logger factory for the server's own and Kestrel's logs.</summary>
    /// <remarks>Defaults to <see langword="null"/>: nothing is logged, as with Node's <c>http</c> module.</remarks>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets a callback that adds services to the server's own service container, for extensions of the
    /// façade (e.g. <c>Roost.SharedState</c>'s <c>UseSharedState</c>, which makes <c>req.GetSessionAsync()</c> work).
    /// Handlers reach the services through <see cref="IncomingRequest.Context"/>'s <c>RequestServices</c>.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the server has only the services Kestrel itself needs.</remarks>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Gets or sets the advice appended to "choose another port" in bind errors, e.g. " with --port".</summary>
    internal string PortHint { get; set; } = string.Empty;
}
