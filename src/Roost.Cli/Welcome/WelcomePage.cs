using System.Globalization;
using System.Text;

namespace Roost.Cli.Welcome;

/// <summary>
/// The built-in page of <c>roost serve</c>: rendered once per protocol, served from memory. It draws a waterfall of
/// its own requests from the browser's Resource Timing entries, and loads the same assets again from a second port
/// that offers only HTTP/1.1 (<see cref="ComparisonPort"/>, served by the same handler) to show the difference.
/// </summary>
internal sealed class WelcomePage
{
    private static readonly byte[][] Stylesheets =
    [
        "main{max-width:46rem;margin:3rem auto;font:16px/1.5 system-ui,sans-serif;padding:0 1rem}\n"u8.ToArray(),
        "h1{color:#7a3e00}code{background:#f4efe9;padding:.1rem .3rem;border-radius:3px}\n"u8.ToArray(),
        "strong#protocol{color:#0a6b2d}\n"u8.ToArray(),
    ];

    private readonly string _template;
    private volatile Rendered _rendered;

    private WelcomePage(string template)
    {
        _template = template;
        _rendered = Render(template, 0);
    }

    /// <summary>
    /// Gets or sets the port of the HTTP/1.1-only listener the page's comparison button loads from; 0 (the default)
    /// when there is none (the button then says so).
    /// </summary>
    public int ComparisonPort
    {
        get => _rendered.ComparisonPort;
        set => _rendered = Render(_template, value);
    }

    public static WelcomePage Load()
    {
        using var stream = typeof(WelcomePage).Assembly.GetManifestResourceStream("Roost.Cli.welcome.html")
            ?? throw new InvalidOperationException("The embedded welcome page is missing from the roost assembly; rebuild Roost.Cli.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new WelcomePage(reader.ReadToEnd());
    }

    /// <summary>The façade handler: a request with a body first has it read and discarded (see <see cref="RequestBodies"/>).</summary>
    public Task HandleAsync(IncomingRequest request, OutgoingResponse response)
    {
        if (!RequestBodies.MayHaveBody(request))
        {
            Handle(request, response);
            return Task.CompletedTask;
        }

        return DiscardThenHandleAsync(request, response);
    }

    private static Rendered Render(string template, int comparisonPort)
    {
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var port = comparisonPort.ToString(CultureInfo.InvariantCulture);
        byte[] For(string protocol) => Encoding.UTF8.GetBytes(template
            .Replace("{{PROTOCOL}}", protocol, StringComparison.Ordinal)
            .Replace("{{PID}}", pid, StringComparison.Ordinal)
            .Replace("{{H1PORT}}", port, StringComparison.Ordinal));
        return new Rendered(comparisonPort, For("HTTP/2"), For("HTTP/1.1"));
    }

    private async Task DiscardThenHandleAsync(IncomingRequest request, OutgoingResponse response)
    {
        await RequestBodies.DiscardAsync(request).ConfigureAwait(false);
        Handle(request, response);
    }

    private void Handle(IncomingRequest request, OutgoingResponse response)
    {
        // The page and its assets are public and the same for everyone. The page on one port reads the Resource Timing
        // of requests to the other (another origin): fetch needs CORS, and the timing details (connection, protocol)
        // need Timing-Allow-Origin.
        response.SetHeader("Access-Control-Allow-Origin", "*");
        response.SetHeader("Timing-Allow-Origin", "*");
        switch (request.Path)
        {
            case "/":
            case "/index.html":
                var rendered = _rendered;
                response.SetHeader("Content-Type", "text/html; charset=utf-8");
                response.SetHeader("Cache-Control", "no-cache");
                response.End(request.HttpVersion == "2.0" ? rendered.Http2 : rendered.Http11);
                return;
            case "/assets/1.css":
            case "/assets/2.css":
            case "/assets/3.css":
                response.SetHeader("Content-Type", "text/css; charset=utf-8");
                response.SetHeader("Cache-Control", "no-cache");
                response.End(Stylesheets[request.Path[8] - '1']);
                return;
            case "/healthz":
                response.SetHeader("Content-Type", "text/plain; charset=utf-8");
                response.End("ok\n");
                return;
            default:
                response.StatusCode = 404;
                response.SetHeader("Content-Type", "text/plain; charset=utf-8");
                response.End($"Not found: {request.Path}\n");
                return;
        }
    }

    private sealed record Rendered(int ComparisonPort, byte[] Http2, byte[] Http11);
}
