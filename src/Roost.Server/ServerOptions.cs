using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Roost;

/// <summary>Settings of a server created by <see cref="Http"/>, <see cref="Https"/> or <see cref="Http2"/>.</summary>
public class ServerOptions
{
    /// <summary>Gets the numeric limits.</summary>
    public ServerLimits Limits { get; } = new();

    /// <summary>Gets the HTTP/2 protections (floods end with GOAWAY) and the two-step GOAWAY of a graceful close.</summary>
    public Http2Options Http2 { get; } = new();

    /// <summary>Gets or sets how long a graceful close waits for in-flight requests before aborting them.</summary>
    /// <remarks>Defaults to 30 seconds. Must not be negative (checked by <see cref="Validate"/>).</remarks>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

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

    /// <summary>
    /// Checks every setting (with <see cref="Limits"/> and <see cref="Http2"/>, and the TLS settings of
    /// <see cref="SecureServerOptions"/>) and reports every problem at once. The <c>CreateServer</c> factories call
    /// it; call it yourself to check settings read from configuration before anything starts.
    /// </summary>
    /// <remarks>
    /// Setters store any value of the right type (a null where one is not allowed still throws at once); out-of-range
    /// values are reported here, one line each, naming the option, the value seen and what is allowed.
    /// </remarks>
    /// <exception cref="InvalidOptionsException">At least one setting is out of range; <see cref="InvalidOptionsException.Problems"/> lists each.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        AddProblems(problems);
        if (problems.Count > 0)
        {
            throw new InvalidOptionsException(problems);
        }
    }

    /// <summary>Adds a line per out-of-range setting to <paramref name="problems"/>.</summary>
    internal virtual void AddProblems(List<string> problems)
    {
        if (ShutdownTimeout < TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.ShutdownTimeoutNegative(ShutdownTimeout));
        }

        Limits.AddProblems(problems);
        Http2.AddProblems(problems);
    }
}
