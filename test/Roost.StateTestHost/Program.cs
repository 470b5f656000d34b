// Test app for the shared-state tests. Usage:
//   Roost.StateTestHost --mode aspnet|facade --port N --dir STATE_DIR [--redis redis://host:port]
// Prints "READY <port> <pid>" once listening on 127.0.0.1. Endpoints (both modes):
//   /visit  increments the session's "visits" and answers "<new value> <pid>"
//   /get    answers "<visits or none> <pid>"
//   --workers N: a cluster of N façade workers (ClusterMode.cs)
// aspnet mode only: /protect?text=… and /unprotect?payload=… (Data Protection, purpose "test").
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Roost;
using Roost.SharedState;

var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i].TrimStart('-')] = args[i + 1];
}

var mode = settings.GetValueOrDefault("mode", "facade");
var port = int.Parse(settings.GetValueOrDefault("port", "0"), CultureInfo.InvariantCulture);
var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

void Configure(SharedStateOptions options)
{
    options.Directory = settings["dir"];
    options.Redis = settings.GetValueOrDefault("redis");
    options.ApplicationName = "Roost.StateTestHost";

    // Generous: CI machines are shared, and the redis-server of the tests fsyncs every write. A down Redis still
    // answers 503 at once (fail-fast backlog policy).
    options.RedisTimeout = TimeSpan.FromSeconds(5);
    if (settings.TryGetValue("idle-ms", out var idle))
    {
        options.SessionIdleTimeout = TimeSpan.FromMilliseconds(int.Parse(idle, CultureInfo.InvariantCulture));
    }
}

if (settings.ContainsKey("workers"))
{
    var state = new SharedStateOptions();
    Configure(state);
    return await ClusterMode.RunAsync(settings, state);
}

if (mode == "facade")
{
    using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
    var options = new ServerOptions { HandleShutdownSignals = true, LoggerFactory = loggerFactory }.UseSharedState(Configure);
    await using var server = Http.CreateServer(options, async (req, res) =>
    {
        var session = await req.GetSessionAsync();
        var text = req.Path switch
        {
            "/visit" => (await session.IncrementAsync("visits")).ToString(CultureInfo.InvariantCulture),
            "/get" => session.Get("visits") ?? "none",
            _ => null,
        };
        if (text is null)
        {
            res.StatusCode = 404;
            await res.EndAsync();
            return;
        }

        await res.EndAsync(text + " " + pid);
    });
    await server.ListenAsync(port, "127.0.0.1");
    Console.WriteLine($"READY {server.LocalEndPoint!.Port} {pid}");
    await server.WaitForShutdownAsync();
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.AddRoostSharedState(Configure);
builder.Services.AddSession(o => o.Cookie.Name = "roost.test.session");
var app = builder.Build();
app.UseSession();
app.MapGet("/visit", async context =>
{
    var session = await context.LoadSessionAsync();
    var visits = (session.GetInt32("visits") ?? 0) + 1;
    session.SetInt32("visits", visits);

    // Commit before the body: otherwise the client may see the answer (and send its next request to another
    // worker) before the session is stored.
    await session.CommitAsync();
    await context.Response.WriteAsync(visits.ToString(CultureInfo.InvariantCulture) + " " + pid);
});
app.MapGet("/get", async context =>
{
    var session = await context.LoadSessionAsync();
    await context.Response.WriteAsync((session.GetInt32("visits")?.ToString(CultureInfo.InvariantCulture) ?? "none") + " " + pid);
});
app.MapGet("/protect", (string text, IDataProtectionProvider provider) => provider.CreateProtector("test").Protect(text));
app.MapGet("/unprotect", (string payload, IDataProtectionProvider provider) => provider.CreateProtector("test").Unprotect(payload));
await app.StartAsync();
var address = new Uri(app.Urls.First());
Console.WriteLine($"READY {address.Port} {pid}");
await app.WaitForShutdownAsync();
return 0;
