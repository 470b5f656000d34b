using System.Globalization;
using Xunit;

namespace Roost.Testing;

/// <summary>Starting façade servers the way every functional test does: on 127.0.0.1, port 0, no signal handling.</summary>
public static class TestServers
{
    /// <summary>Options for a cleartext test server: SIGINT/SIGTERM stay with the test host.</summary>
    public static ServerOptions Options() => new() { HandleShutdownSignals = false };

    /// <summary>Listens on 127.0.0.1 with a free port and returns the server.</summary>
    public static async Task<HttpServer> ListenOnLoopbackAsync(this HttpServer server)
    {
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        return server;
    }

    /// <summary>The URL of <paramref name="pathAndQuery"/> on the server (https for TLS servers; the test leaf covers 127.0.0.1).</summary>
    public static Uri Url(this HttpServer server, string pathAndQuery = "/") =>
        new(string.Create(CultureInfo.InvariantCulture, $"{(server.IsSecure ? "https" : "http")}://127.0.0.1:{server.Port}{pathAndQuery}"));
}
