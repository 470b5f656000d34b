using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Roost.Cli.Commands;
using Roost.Tls;

namespace Roost.Cli.Welcome;

/// <summary>
/// The welcome page's second listener: TLS offering only <c>http/1.1</c> in ALPN, on the same address as the main
/// port and a port the system picks (so it never takes a port someone else chose; the banner and the page name it).
/// </summary>
/// <remarks>
/// In a cluster the primary binds it (<see cref="BindInPrimary"/>) and gives its port to the workers in
/// <see cref="PortVariable"/>; each worker then listens on that port and gets the primary's socket, as for the main
/// port. (A worker cannot ask for port 0 itself: the primary shares one socket per requested end point, and port 0
/// on the same address is the main port's when <c>--port 0</c>.)
/// </remarks>
internal static partial class WelcomeComparison
{
    /// <summary>The environment variable that gives a worker the comparison port its primary bound.</summary>
    public const string PortVariable = "ROOST_WELCOME_HTTP1_PORT";

    /// <summary>How long the comparison port waits before answering an asset (see <see cref="HandleAfterLatencyAsync"/>).</summary>
    private static readonly TimeSpan AssetLatency = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Binds the comparison port in a primary; returns the environment for <see cref="Cluster.Fork"/>, or
    /// <see langword="null"/> after a warning when it cannot (the page then serves without its comparison).
    /// </summary>
    public static IReadOnlyDictionary<string, string?>? BindInPrimary(IPAddress address, ILoggerFactory loggerFactory, out int port)
    {
        port = 0;
        try
        {
            // Cluster.Listen keys the shared sockets by the end point asked for, and port 0 may be the main port's
            // key: ask the system for a free port first, then bind that one (bounded retries for the short race).
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    port = Cluster.Listen(new IPEndPoint(address, FreePort(address))).Port;
                    return new Dictionary<string, string?> { [PortVariable] = port.ToString(CultureInfo.InvariantCulture) };
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 3)
                {
                    // Someone took the port between the two binds: pick another.
                }
            }
        }
        catch (SocketException ex)
        {
            ComparisonFailed(loggerFactory.CreateLogger("Roost.Cli.Welcome"), address.ToString(), ex.Message);
            port = 0;
            return null;
        }
    }

    /// <summary>
    /// Listens and tells <paramref name="page"/> the port; <see langword="null"/>, after a warning, when that fails (the
    /// page then serves without its comparison: it is a demonstration, never a reason not to serve).
    /// </summary>
    public static async Task<HttpServer?> ListenAsync(WelcomePage page, ServeSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var port = 0;
        if (Cluster.IsWorker && !int.TryParse(Environment.GetEnvironmentVariable(PortVariable), NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            // The primary could not bind it (it said so) or is not a roost serve primary.
            return null;
        }

        var logger = loggerFactory.CreateLogger("Roost.Cli.Welcome");
        HttpServer? server = null;
        try
        {
            var (options, _) = settings.Tls.ToServerOptions();
            options.ShutdownTimeout = settings.ShutdownTimeout;
            options.Limits.MaxRequestBodySize = settings.MaxBodySize;
            options.LoggerFactory = new CertificateEchoFilter(loggerFactory);
            server = Https.CreateServer(options, (request, response) => HandleAfterLatencyAsync(page, request, response));
            await server.ListenAsync(port, settings.Host, cancellationToken).ConfigureAwait(false);
            page.ComparisonPort = server.Port;
            return server;
        }
        catch (Exception ex) when (ex is ListenException or CertificateLoadException or ArgumentException)
        {
            ComparisonFailed(logger, settings.Host, ex.Message);
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    /// <summary>
    /// On loopback a stylesheet is answered before a second connection is even set up, so the browser would reuse the
    /// page's one HTTP/1.1 connection for all three and the comparison would show nothing. A short wait on the assets
    /// stands for the network's latency: the browser, as over a real network, opens a connection per parallel request.
    /// </summary>
    private static async Task HandleAfterLatencyAsync(WelcomePage page, IncomingRequest request, OutgoingResponse response)
    {
        if (request.Path.StartsWith("/assets/", StringComparison.Ordinal))
        {
            await Task.Delay(AssetLatency).ConfigureAwait(false);
        }

        await page.HandleAsync(request, response).ConfigureAwait(false);
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    [LoggerMessage(CliEventIds.WelcomeComparisonFailed, LogLevel.Warning, "The welcome page's HTTP/1.1-only comparison port could not listen on {Host}: {Reason} The page is served without its HTTP/1.1 waterfall.", EventName = "WelcomeComparisonFailed")]
    private static partial void ComparisonFailed(ILogger logger, string host, string reason);
}
