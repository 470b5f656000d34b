using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Roost;
using Roost.SharedState;

/// <summary>
/// <c>--workers N</c>: a Node-style cluster (primary + N façade workers on <c>--address</c>:<c>--port</c>) over the
/// shared store. The primary prepares the store before forking (unless <c>--prepare 0</c>) and prints
/// "forked ID PID", "listening ID PID", "exit ID PID", then "READY PORT PRIMARYPID" once N workers listen.
/// Worker routes (answers end with the worker's pid):
///   /visit                      session "visits" + 1
///   /inc?op=N                   idempotent increment: applied only if N is above the last applied op id (the client
///                               numbers its ops 1, 2, 3 … and resends one until answered) → "COUNT applied|replayed PID"
///   /get                        the session's visits
///   /cache?key=K                this worker's cached value for K (made and kept on first use)
///   /invalidate?key=K           broadcasts K; every process drops K from its cache and prints "invalidated K WORKERID PID self=…"
/// </summary>
internal static class ClusterMode
{
    public static async Task<int> RunAsync(Dictionary<string, string> settings, SharedStateOptions state)
    {
        var workers = int.Parse(settings["workers"], CultureInfo.InvariantCulture);
        var port = int.Parse(settings["port"], CultureInfo.InvariantCulture);
        var address = settings.GetValueOrDefault("address", "127.0.0.1");
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        if (Cluster.IsPrimary)
        {
            if (settings.GetValueOrDefault("prepare", "1") == "1")
            {
                // The one line a cluster program adds: store and key ring made once, before any worker starts.
                var keys = await SharedStateSetup.PrepareInPrimaryAsync(state, loggerFactory);
                Console.WriteLine($"prepared {keys}");
            }

            Cluster.SetupPrimary(new ClusterOptions
            {
                RespawnWorkers = settings.GetValueOrDefault("respawn", "0") == "1",
                MinUptime = TimeSpan.Zero,
                MaxCrashes = 100_000,
                InitialBackoff = TimeSpan.Zero,
                MaxBackoff = TimeSpan.FromMilliseconds(100),
                DrainTimeout = TimeSpan.FromSeconds(5),
            });
            var listening = 0;
            Cluster.WorkerForked += (_, e) => Console.WriteLine($"forked {e.Worker.Id} {e.Worker.Pid}");
            Cluster.WorkerListening += (_, e) =>
            {
                Console.WriteLine($"listening {e.Worker.Id} {e.Worker.Pid}");
                if (Interlocked.Increment(ref listening) == workers)
                {
                    Console.WriteLine($"READY {port} {Environment.ProcessId}");
                }
            };
            Cluster.WorkerExited += (_, e) => Console.WriteLine($"exit {e.Worker.Id} {e.Worker.Pid}");
            for (var i = 0; i < workers; i++)
            {
                Cluster.Fork();
            }

            return await Cluster.WaitForExitAsync();
        }

        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var id = Cluster.Worker!.Id;
        var cache = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await using var broadcast = SharedBroadcast.Create(state, loggerFactory);
        using var subscription = await broadcast.SubscribeAsync(e =>
        {
            // The use case: a value changed somewhere, every process forgets its cached copy.
            var key = e.Message.GetString()!;
            cache.TryRemove(key, out _);
            Console.WriteLine($"invalidated {key} {id} {pid} self={e.IsFromSelf}");
        });

        var options = new ServerOptions { HandleShutdownSignals = true, LoggerFactory = loggerFactory }.UseSharedState(state);
        await using var server = Http.CreateServer(options, async (req, res) =>
        {
            string? text;
            switch (req.Path)
            {
                case "/visit":
                    text = (await (await req.GetSessionAsync()).IncrementAsync("visits")).ToString(CultureInfo.InvariantCulture);
                    break;
                case "/get":
                    text = (await req.GetSessionAsync()).Get("visits") ?? "none";
                    break;
                case "/inc":
                    text = await IncrementOnceAsync(await req.GetSessionAsync(), req.Query["op"].ToString());
                    break;
                case "/cache":
                    text = cache.GetOrAdd(req.Query["key"].ToString(), k => $"{k}@{pid}@{DateTime.UtcNow.Ticks}");
                    break;
                case "/invalidate":
                    await broadcast.PublishAsync(req.Query["key"].ToString());
                    text = "sent";
                    break;
                default:
                    text = null;
                    break;
            }

            if (text is null)
            {
                res.StatusCode = 404;
                await res.EndAsync();
                return;
            }

            await res.EndAsync(text + " " + pid);
        });
        await server.ListenAsync(port, address);
        Console.WriteLine($"worker {id} {pid} serving {IPAddress.Parse(address)}:{port}");
        await server.WaitForShutdownAsync();
        return 0;
    }

    // One atomic read-modify-write of the session. Op ids are the client's sequence numbers (1, 2, 3 …); the highest
    // applied one is stored with the count, so an op at or below it is not applied again: a retry whose first attempt
    // was committed before its worker died, and also a stale attempt that reaches a worker only after the client gave
    // up on it and moved on.
    private static async Task<string> IncrementOnceAsync(RoostSession session, string opText)
    {
        var op = long.Parse(opText, CultureInfo.InvariantCulture);
        var result = string.Empty;
        await session.UpdateAsync(values =>
        {
            var count = long.Parse(values.TryGetValue("count", out var c) ? c : "0", CultureInfo.InvariantCulture);
            var last = long.Parse(values.TryGetValue("lastOp", out var l) ? l : "0", CultureInfo.InvariantCulture);
            if (op <= last)
            {
                result = $"{count} replayed";
                return;
            }

            count++;
            values["count"] = count.ToString(CultureInfo.InvariantCulture);
            values["lastOp"] = op.ToString(CultureInfo.InvariantCulture);
            result = $"{count} applied";
        });
        return result;
    }
}
