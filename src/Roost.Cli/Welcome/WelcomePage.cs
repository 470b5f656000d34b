using System.Globalization;
using System.Text;

namespace Roost.Cli.Welcome;

/// <summary>The built-in page of <c>roost serve</c>: rendered once per protocol at start, served from memory.</summary>
internal sealed class WelcomePage
{
    private static readonly byte[][] Stylesheets =
    [
        "main{max-width:46rem;margin:3rem auto;font:16px/1.5 system-ui,sans-serif;padding:0 1rem}\n"u8.ToArray(),
        "h1{color:#7a3e00}code{background:#f4efe9;padding:.1rem .3rem;border-radius:3px}\n"u8.ToArray(),
        "strong#protocol{color:#0a6b2d}\n"u8.ToArray(),
    ];

    private readonly byte[] _http2;
    private readonly byte[] _http11;

    private WelcomePage(string template)
    {
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        _http2 = Encoding.UTF8.GetBytes(template.Replace("{{PROTOCOL}}", "HTTP/2", StringComparison.Ordinal).Replace("{{PID}}", pid, StringComparison.Ordinal));
        _http11 = Encoding.UTF8.GetBytes(template.Replace("{{PROTOCOL}}", "HTTP/1.1", StringComparison.Ordinal).Replace("{{PID}}", pid, StringComparison.Ordinal));
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

    private async Task DiscardThenHandleAsync(IncomingRequest request, OutgoingResponse response)
    {
        await RequestBodies.DiscardAsync(request).ConfigureAwait(false);
        Handle(request, response);
    }

    private void Handle(IncomingRequest request, OutgoingResponse response)
    {
        switch (request.Path)
        {
            case "/":
            case "/index.html":
                response.SetHeader("Content-Type", "text/html; charset=utf-8");
                response.End(request.HttpVersion == "2.0" ? _http2 : _http11);
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
}
