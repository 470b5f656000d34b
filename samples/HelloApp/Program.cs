using System.Reflection;
using Microsoft.Extensions.Caching.Distributed;

// A plain ASP.NET Core app: nothing here knows about Roost. `roost run` serves it over HTTPS + h2 on every core.
var builder = WebApplication.CreateBuilder(args);

// A broken deploy to try a reload that aborts: HelloApp__FailAtStartup=true (or the appsettings.json key).
if (builder.Configuration.GetValue<bool>("HelloApp:FailAtStartup"))
{
    throw new InvalidOperationException("HelloApp:FailAtStartup is set: this build refuses to start.");
}

// In-process defaults; `roost run --state ...` replaces both with the store every worker shares.
builder.Services.AddDistributedMemoryCache();
builder.Services.AddSession();

var app = builder.Build();
app.UseSession();

// The build's version (dotnet publish -p:Version=...), unless configuration overrides it.
var version = app.Configuration["HelloApp:Version"]
    ?? typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
    ?? "unknown";

app.MapGet("/", (HttpContext context) =>
    $"Hello from HelloApp {version}, pid {Environment.ProcessId}, {context.Request.Protocol}\n");

// A visit counter in the session (cookie + IDistributedCache): it keeps counting across workers only when the
// cache is shared.
app.MapGet("/session", async (HttpContext context) =>
{
    var visits = (context.Session.GetInt32("visits") ?? 0) + 1;
    context.Session.SetInt32("visits", visits);
    await context.Session.CommitAsync(context.RequestAborted);
    return $"visits {visits}, pid {Environment.ProcessId}\n";
});

// What the cache behind the session is (shows that Roost's shared store replaced the app's own).
app.MapGet("/cache", (IDistributedCache cache) => $"{cache.GetType().FullName}\n");

// Reads an upload to the end and says how long it was (Kestrel answers 413 when it is over the body size limit).
app.MapPost("/upload", async (HttpContext context) =>
{
    var length = 0L;
    var buffer = new byte[16384];
    int read;
    while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
    {
        length += read;
    }

    return $"received {length} bytes\n";
});

app.Run();
