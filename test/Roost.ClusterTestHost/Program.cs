// Test host for the cluster integration tests. The primary prints one line per cluster event
// ("forked 1 1234 1" = id pid generation, "listening 1 1234 0.0.0.0:5000", "exit 1 1234 code=1 signal=", "message 1 \"text\"");
// workers behave as TH_WORKER_MODE says. Settings (environment):
//   PORT, H2_PORT (optional h2c listener), TLS_PORT (optional h2 + HTTP/1.1 over TLS, self-signed), TH_WORKERS (2), TH_RESPAWN (0/1), TH_SHARING (auto/shared/reuseport/handoff),
//   TH_FORK_ON_EXIT (1: fork from the exit handler), TH_MIN_UPTIME_MS, TH_MAX_CRASHES, TH_DRAIN_MS, TH_HEARTBEAT_MS, TH_MISSED_HEARTBEATS (3), TH_KEEPALIVE_DRAIN_MS (1000),
//   TH_LOG (1: server logs), TH_HOT_SPARES (0), TH_PRIMARY_LOG or TH_CLUSTER_LOG (1: the primary's cluster log at Information on stdout, one line each),
//   TH_STATS_MS (N: every N ms the primary prints "stats {id} {pid} {requests} {rss} {restarts}" per worker),
//   TH_WORKER_MODE: serve | boot-fail | spare-boot-fail (hot spares throw at startup) | crash-after-ms:N | malformed | broadcast | message-handler-throws
//     | log-burst (once every worker is subscribed, each writes TH_BURST_LINES (300) long lines through a console logger and
//       as many with Console.WriteLine, from two threads at once, then sends "burst-done"),
//   TH_BOOT_FAIL_FILE (a worker throws at startup while this file exists: a broken new build for reload tests),
//   TH_RELOAD_BATCH (ReloadBatchSize), TH_MAX_REQUESTS / TH_MAX_REQUESTS_JITTER / TH_MAX_MEMORY_MB / TH_MAX_AGE_MS (recycling)
// Routes: / answers the worker's pid; /slow?ms=N answers it after N ms; /tag answers TH_WORKER_TAG (TH_FORK_TAG: the primary forks with it). On stop a worker prints "served {pid} {count}".
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Roost;
using Roost.Clustering.Internal.InWorker;

static int Setting(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

var port = Setting("PORT", 8081);
var h2Port = Setting("H2_PORT", 0);
var mode = Environment.GetEnvironmentVariable("TH_WORKER_MODE") ?? "serve";

if (Cluster.IsPrimary)
{
    var options = new ClusterOptions
    {
        RespawnWorkers = Setting("TH_RESPAWN", 0) == 1,
        ListenerSharing = Environment.GetEnvironmentVariable("TH_SHARING") switch
        {
            "reuseport" => ListenerSharingMode.ReusePort,
            "handoff" => ListenerSharingMode.Handoff,
            "shared" => ListenerSharingMode.Shared,
            _ => ListenerSharingMode.Auto,
        },
        MinUptime = TimeSpan.FromMilliseconds(Setting("TH_MIN_UPTIME_MS", 1000)),
        MaxCrashes = Setting("TH_MAX_CRASHES", 10),
        DrainTimeout = TimeSpan.FromMilliseconds(Setting("TH_DRAIN_MS", 30000)),
        HeartbeatInterval = TimeSpan.FromMilliseconds(Setting("TH_HEARTBEAT_MS", 5000)),
        MissedHeartbeats = Setting("TH_MISSED_HEARTBEATS", 3),
        KeepAliveDrainWindow = TimeSpan.FromMilliseconds(Setting("TH_KEEPALIVE_DRAIN_MS", 1000)),
        ReloadBatchSize = Setting("TH_RELOAD_BATCH", 1),
        RecycleAfterRequests = Setting("TH_MAX_REQUESTS", 0) is var maxRequests and > 0 ? maxRequests : null,
        RecycleRequestsJitter = Setting("TH_MAX_REQUESTS_JITTER", 0),
        RecycleAboveMemoryBytes = Setting("TH_MAX_MEMORY_MB", 0) is var maxMemory and > 0 ? maxMemory * 1024L * 1024L : null,
        RecycleAfterAge = Setting("TH_MAX_AGE_MS", 0) is var maxAge and > 0 ? TimeSpan.FromMilliseconds(maxAge) : null,
        HotSpares = Setting("TH_HOT_SPARES", 0),
        LoggerFactory = Setting("TH_PRIMARY_LOG", 0) == 1
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information))
            : null,
    };
    if (Setting("TH_CLUSTER_LOG", 0) == 1)
    {
        options.LoggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
    }

    Cluster.SetupPrimary(options);
    Console.WriteLine($"primary {Environment.ProcessId}");
    Cluster.WorkerForked += (_, e) => Console.WriteLine($"forked {e.Worker.Id} {e.Worker.Pid} {e.Worker.Generation}");
    Cluster.WorkerOnline += (_, e) => Console.WriteLine($"online {e.Worker.Id} {e.Worker.Pid}");
    Cluster.WorkerListening += (_, e) => Console.WriteLine($"listening {e.Worker.Id} {e.Worker.Pid} {e.EndPoint}");
    Cluster.WorkerDisconnected += (_, e) => Console.WriteLine($"disconnect {e.Worker.Id} {e.Worker.Pid}");
    Cluster.WorkerExited += (_, e) => Console.WriteLine($"exit {e.Worker.Id} {e.Worker.Pid} code={e.ExitCode} signal={e.Signal}");
    Cluster.MessageReceived += (_, e) => Console.WriteLine($"message {e.Worker.Id} {e.Message.GetRawText()}");
    Cluster.BroadcastReceived += (_, e) => Console.WriteLine($"broadcast {e.SenderId} {e.Message.GetRawText()}");
    var subscribed = 0;
    Cluster.MessageReceived += (_, e) =>
    {
        if (e.Message.ValueKind == System.Text.Json.JsonValueKind.String && e.Message.GetString() == "subscribed" && ++subscribed == Setting("TH_WORKERS", 2))
        {
            Cluster.Broadcast("go");
        }
    };
    if (mode == "message-handler-throws")
    {
        // Each subscribed worker gets a message its first handler throws on, then one it does not; a primary handler
        // throws on every message too. Both sides must log and keep delivering.
        Cluster.MessageReceived += (_, e) =>
        {
            if (e.Message.ValueKind == System.Text.Json.JsonValueKind.String && e.Message.GetString() == "subscribed")
            {
                e.Worker.Send("boom");
                e.Worker.Send("ping");
            }
        };
        Cluster.MessageReceived += (_, _) => throw new InvalidOperationException("primary handler failure requested by TH_WORKER_MODE");
    }

    if (Setting("TH_FORK_ON_EXIT", 0) == 1)
    {
        // Node's own respawn idiom: cluster.on('exit', () => cluster.fork()).
        Cluster.WorkerExited += (_, _) => Cluster.Fork();
    }

    // TLS_PORT: the primary makes one self-signed certificate and every worker serves it (h2 + HTTP/1.1).
    Dictionary<string, string?>? workerEnvironment = null;
    if (Setting("TLS_PORT", 0) != 0)
    {
        var directory = Directory.CreateTempSubdirectory("roost-cluster-testhost-").FullName;
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        workerEnvironment = new() { ["TH_CERT_DIR"] = directory };
    }

    // TH_FORK_TAG: every worker is forked with TH_WORKER_TAG set to it (a fork environment; /tag answers it).
    if (Environment.GetEnvironmentVariable("TH_FORK_TAG") is { } tag)
    {
        workerEnvironment ??= [];
        workerEnvironment["TH_WORKER_TAG"] = tag;
    }

    using var stats = Setting("TH_STATS_MS", 0) is var statsMs and > 0
        ? new Timer(_ =>
        {
            foreach (var w in Cluster.Workers.Values)
            {
                Console.WriteLine($"stats {w.Id} {w.Pid} {w.RequestCount} {w.RssBytes ?? 0} {w.Restarts}");
            }
        }, null, statsMs, statsMs)
        : null;

    for (var i = 0; i < Setting("TH_WORKERS", 2); i++)
    {
        Cluster.Fork(workerEnvironment);
    }

    var code = await Cluster.WaitForExitAsync();
    if (workerEnvironment?.GetValueOrDefault("TH_CERT_DIR") is { } certificates)
    {
        Directory.Delete(certificates, recursive: true);
    }

    Console.WriteLine($"primary exit {code}");
    return code;
}

if (mode == "boot-fail" || Environment.GetEnvironmentVariable("TH_BOOT_FAIL_FILE") is { } failFile && File.Exists(failFile)
    || mode == "spare-boot-fail" && WorkerRuntime.Current?.IsWaitingSpare == true)
{
    throw new InvalidOperationException("boot failure requested by TH_WORKER_MODE");
}

var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
long served = 0;
async Task Handle(IncomingRequest req, OutgoingResponse res)
{
    Interlocked.Increment(ref served);
    if (req.Path == "/tag")
    {
        await res.EndAsync(Environment.GetEnvironmentVariable("TH_WORKER_TAG") ?? "none");
        return;
    }
    if (req.Path == "/slow" && int.TryParse(req.Query["ms"], out var ms))
    {
        await Task.Delay(ms);
    }

    await res.EndAsync(pid);
}

// TH_LOG=1: the servers log to the console (Debug), for diagnosing a test.
var serverOptions = new ServerOptions();
if (Setting("TH_LOG", 0) == 1)
{
    serverOptions.LoggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Debug));
}

var server = await ListenAsync(Http.CreateServer(serverOptions, Handle), port);
if (h2Port != 0)
{
    await ListenAsync(Http2.CreateServer(serverOptions, Handle), h2Port);
}

if (Setting("TLS_PORT", 0) is var tlsPort and not 0)
{
    var directory = Environment.GetEnvironmentVariable("TH_CERT_DIR")!;
    var tls = SecureServerOptions.FromFiles(Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"));
    tls.AllowHttp1 = true;
    await ListenAsync(Http2.CreateSecureServer(tls, Handle), tlsPort);
}

Console.WriteLine($"worker {Cluster.Worker!.Id} {pid} serving");
if (mode.StartsWith("crash-after-ms:", StringComparison.Ordinal))
{
    await Task.Delay(int.Parse(mode["crash-after-ms:".Length..], CultureInfo.InvariantCulture));
    Environment.Exit(1);
}

if (mode == "malformed")
{
    var oversized = new string('x', 1024 * 1024 + 16);
    WorkerRuntime.Current!.SendRawForTesting(Encoding.UTF8.GetBytes("this is not json\n{\"type\":\"no-such-type\"}\n{\"type\":\"heartbeat\",\"sequence\":\"NaN\"}\n" + oversized + "\n"));
    Cluster.Worker.Send("still-alive");
}

if (mode == "broadcast")
{
    // Every worker prints what it receives, then tells the primary it is subscribed; once all are, the primary
    // broadcasts "go" and each worker sends an oversized broadcast (dropped by the primary) and then a valid one,
    // which every worker and the primary must receive (a worker not yet subscribed would miss it: at most once).
    Cluster.BroadcastReceived += (_, e) =>
    {
        if (e.SenderId == 0 && e.Message.GetString() == "go")
        {
            Cluster.Broadcast(new string('x', 1024 * 1024 + 16));
            Cluster.Broadcast($"after-oversized-{Cluster.Worker.Id}");
            return;
        }

        Console.WriteLine($"worker-broadcast {Cluster.Worker.Id} {e.SenderId} {e.IsFromSelf} {e.Message.GetRawText()}");
    };
    Cluster.Worker.Send("subscribed");
}

if (mode == "log-burst")
{
    // Long lines (over the 256-character buffer of Console's writer) from several processes on the shared stdout:
    // each must reach the pipe whole, in one write (docs/cluster.md, "Logging").
    var lines = Setting("TH_BURST_LINES", 300);
    var burstLogging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
    var burstLogger = burstLogging.CreateLogger("Burst");
    Cluster.BroadcastReceived += (_, e) =>
    {
        if (e.SenderId != 0 || e.Message.GetString() != "go")
        {
            return;
        }

        var id = Cluster.Worker.Id;
        _ = Task.Run(async () =>
        {
            await Task.WhenAll(
                Task.Run(() =>
                {
                    for (var i = 0; i < lines; i++)
                    {
                        burstLogger.LogInformation("burst-log {Worker} {Line} {Filler}", id, i, new string('x', 900));
                    }
                }),
                Task.Run(() =>
                {
                    for (var i = 0; i < lines; i++)
                    {
                        Console.WriteLine($"burst-out {id} {i} {new string('y', 900)}");
                    }
                }));
            burstLogging.Dispose();
            Cluster.Worker.Send("burst-done");
        });
    };
    Cluster.Worker.Send("subscribed");
}

if (mode == "message-handler-throws")
{
    Cluster.Worker.MessageReceived += (_, e) =>
    {
        if (e.Message.GetString() == "boom")
        {
            throw new InvalidOperationException("worker handler failure requested by TH_WORKER_MODE");
        }
    };
    Cluster.Worker.MessageReceived += (_, e) => Cluster.Worker.Send($"got {e.Message.GetString()}");
    Cluster.Worker.Send("subscribed");
}

await server.WaitForShutdownAsync();

// The load benchmarks read the per-worker request counts from this line.
Console.WriteLine($"served {pid} {Interlocked.Read(ref served)}");
return 0;

static async Task<HttpServer> ListenAsync(HttpServer server, int port)
{
    await server.ListenAsync(port, "127.0.0.1");
    return server;
}
