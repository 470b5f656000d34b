// The seed's handler through Roost's Node-style façade, one server per listener, exactly as a Node user writes it:
//   Https.CreateServer          HTTP/1.1 over TLS   (Node: https.createServer)
//   Http2.CreateSecureServer    HTTP/2 over TLS     (Node: http2.createSecureServer)
//   Http.CreateServer           cleartext HTTP/1.1  (Node: http.createServer)
using Roost;
using Roost.Benchmarks.Load;

var options = ContenderOptions.Parse(args);
ContenderOptions.ReportAllocationsAtExit();

static void Seed(IncomingRequest req, OutgoingResponse res)
{
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
