// The seed handler through the façade (as benchmarks/load/FacadeSeed), plus one switch the load harness's contender
// does not have:
//   --inline-scheduling   Kestrel's socket transport runs the request pipeline on the I/O thread
//                         (SocketTransportOptions.UnsafePreferInlineScheduling), set through the façade's
//                         ServerOptions.ConfigureServices exactly as an application would.
//   --tls-policy NAME     SecureServerOptions.TlsPolicy (intermediate, modern, compatible; default intermediate).
// Runtime settings (server GC, DOTNET_GCgen0size, DOTNET_TieredPGO, …) come from the environment; ab.sh sets them.
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Roost;
using Roost.Benchmarks.Load;
using Roost.Tls;

var inline = args.Contains("--inline-scheduling");
var policyAt = Array.IndexOf(args, "--tls-policy");
var policy = policyAt >= 0 && policyAt + 1 < args.Length
    ? Enum.Parse<TlsPolicy>(args[policyAt + 1], ignoreCase: true)
    : TlsPolicy.Intermediate;
var options = ContenderOptions.Parse([.. args.Where((a, i) => a != "--inline-scheduling" && (policyAt < 0 || (i != policyAt && i != policyAt + 1)))]);
ContenderOptions.ReportAllocationsAtExit();

static void Seed(IncomingRequest req, OutgoingResponse res)
{
    res.Write("<h1>hello Node</h1>");
    res.End("<p>hello server!</p>");
}

void Configure(ServerOptions server)
{
    if (inline)
    {
        server.ConfigureServices = services => services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
    }
}

SecureServerOptions Tls()
{
    var secure = new SecureServerOptions
    {
        Cert = File.ReadAllBytes(options.Cert!),
        Key = File.ReadAllBytes(options.Key!),
        TlsPolicy = policy,
    };
    foreach (var ca in options.Ca)
    {
        secure.Ca.Add(File.ReadAllBytes(ca));
    }

    Configure(secure);
    return secure;
}

if (options.H1TlsPort > 0)
{
    Https.CreateServer(Tls(), Seed).Listen(options.H1TlsPort, "127.0.0.1");
}

if (options.H2TlsPort > 0)
{
    Http2.CreateSecureServer(Tls(), Seed).Listen(options.H2TlsPort, "127.0.0.1");
}

if (options.H1Port > 0)
{
    var plain = new ServerOptions();
    Configure(plain);
    Http.CreateServer(plain, Seed).Listen(options.H1Port, "127.0.0.1");
}

Console.WriteLine($"FacadeSettings (inline scheduling {(inline ? "on" : "off")}, TLS policy {policy}) listening: {options.Describe()}");
