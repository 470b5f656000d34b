// The seed's handler through Roost's Node-style façade, one server per listener, exactly as a Node user writes it:
//   Https.CreateServer          HTTP/1.1 over TLS   (Node: https.createServer)
//   Http2.CreateSecureServer    HTTP/2 over TLS     (Node: http2.createSecureServer)
//   Http.CreateServer           cleartext HTTP/1.1  (Node: http.createServer)
// --workers N|auto: the same program as a Roost cluster (the primary forks N workers, each runs this file again and
// listens; --sharing picks the listener-sharing strategy; managed mode, as `roost serve --workers` runs).
// --static FILE: the file is read once at start and served from memory at ContenderOptions.StaticPath.
using Roost;
using Roost.Benchmarks.Load;

var options = ContenderOptions.Parse(args);
ContenderOptions.ReportAllocationsAtExit();

if (options.Workers > 0 && Cluster.IsPrimary)
{
    Cluster.SetupPrimary(new ClusterOptions
    {
        RespawnWorkers = true,
        ListenerSharing = options.Sharing switch
        {
            "reuseport" => ListenerSharingMode.ReusePort,
            "handoff" => ListenerSharingMode.Handoff,
            "shared" => ListenerSharingMode.Shared,
            _ => ListenerSharingMode.Auto,
        },
    });
    for (var i = 0; i < options.Workers; i++)
    {
        Cluster.Fork();
    }

    Console.WriteLine($"FacadeSeed primary {Environment.ProcessId}: {options.Workers} workers, sharing {options.Sharing}");
    return await Cluster.WaitForExitAsync();
}

var staticBody = options.StaticFile is { } file ? File.ReadAllBytes(file) : null;

void Seed(IncomingRequest req, OutgoingResponse res)
{
    if (staticBody is not null && req.Path == ContenderOptions.StaticPath)
    {
        res.SetHeader("Content-Type", "application/octet-stream");
        res.End(staticBody);
        return;
    }

    res.Write("<h1>hello Node</h1>");
    res.End("<p>hello server!</p>");
}

SecureServerOptions Tls()
{
    var secure = new SecureServerOptions
    {
        Cert = File.ReadAllBytes(options.Cert!),
        Key = File.ReadAllBytes(options.Key!),
    };
    foreach (var ca in options.Ca)
    {
        secure.Ca.Add(File.ReadAllBytes(ca));
    }

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
    Http.CreateServer(Seed).Listen(options.H1Port, "127.0.0.1");
}

Console.WriteLine($"FacadeSeed listening: {options.Describe()}");

// As in Node, the servers keep the process alive; SIGTERM closes them and the process exits.
return 0;
