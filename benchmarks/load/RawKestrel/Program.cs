// A minimal raw Kestrel app: the seed's response bytes written the way a Kestrel user writes them, on the same
// pipeline the façade runs on (empty builder, Kestrel core, one terminal request delegate, no logging), so the
// benchmark measures the façade layer and the write pattern, nothing else.
//
// Modes (--mode or BENCH_MODE):
//   two-writes  the seed handler as Kestrel users write it: two `await Response.WriteAsync` calls. Kestrel
//               flushes each one: on HTTP/1.1 that is chunked encoding and separate TLS records.
//   one-write   Content-Length + one write: what the façade does for a small response that ends in the handler.
//
// BENCH_INLINE_SCHEDULING=1 sets Kestrel's SocketTransportOptions.UnsafePreferInlineScheduling (continuations run on the
// socket engine's thread instead of the thread pool): floor.sh --knobs measures it with .NET's
// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, the pair that removes the thread hand-offs per socket operation.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Roost.Benchmarks.Load;

var options = ContenderOptions.Parse(args);
ContenderOptions.ReportAllocationsAtExit();
RequestDelegate handler = options.Mode switch
{
    "two-writes" => TwoWritesAsync,
    "one-write" => OneWriteAsync,
    var other => throw new ArgumentException($"--mode must be 'two-writes' or 'one-write'; got '{other ?? "(none)"}'."),
};

X509Certificate2? leaf = null;
var chain = new X509Certificate2Collection();
if (options.NeedsTls)
{
    leaf = X509Certificate2.CreateFromPemFile(options.Cert!, options.Key!);
    foreach (var ca in options.Ca)
    {
        chain.ImportFromPemFile(ca);
    }
}

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "RawKestrel" });
builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
if (Environment.GetEnvironmentVariable("BENCH_INLINE_SCHEDULING") == "1")
{
    builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Same response headers as the façade (Date, Content-Length or Transfer-Encoding): no Server header.
    kestrel.AddServerHeader = false;
    if (options.H1TlsPort > 0)
    {
        Listen(kestrel, options.H1TlsPort, HttpProtocols.Http1, tls: true);
    }

    if (options.H2TlsPort > 0)
    {
        Listen(kestrel, options.H2TlsPort, HttpProtocols.Http2, tls: true);
    }

    if (options.H1Port > 0)
    {
        Listen(kestrel, options.H1Port, HttpProtocols.Http1, tls: false);
    }
});

var app = builder.Build();
if (options.StaticFile is { } staticFile)
{
    // --static FILE: served at ContenderOptions.StaticPath with SendFileAsync (from disk, as Kestrel users serve a file).
    var seed = handler;
    var length = new FileInfo(staticFile).Length;
    handler = context =>
    {
        if (context.Request.Path.Value != ContenderOptions.StaticPath)
        {
            return seed(context);
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = length;
        return context.Response.SendFileAsync(staticFile);
    };
}

app.Run(handler);
await app.StartAsync();
Console.WriteLine($"RawKestrel {options.Mode} listening: {options.Describe()}");
await app.WaitForShutdownAsync();

// 127.0.0.1 only (ListenLocalhost would bind ::1 too): benchmark traffic stays on IPv4 loopback.
void Listen(KestrelServerOptions kestrel, int port, HttpProtocols protocols, bool tls) =>
    kestrel.Listen(IPAddress.Loopback, port, listen =>
    {
        listen.Protocols = protocols;
        if (tls)
        {
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = leaf,

                // Kestrel sends these intermediates in the handshake, as the façade sends the chain from Ca.
                ServerCertificateChain = chain,
            });
        }
    });

static async Task TwoWritesAsync(HttpContext context)
{
    await context.Response.WriteAsync("<h1>hello Node</h1>");
    await context.Response.WriteAsync("<p>hello server!</p>");
}

static Task OneWriteAsync(HttpContext context)
{
    context.Response.ContentLength = ContenderOptions.SeedBody.Length;
    return context.Response.WriteAsync(ContenderOptions.SeedBody);
}
