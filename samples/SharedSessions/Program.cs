// A visit counter per browser that keeps counting while requests land on different workers and while workers are
// killed: the cluster program of the seed, plus shared sessions (see README.md).
using System.Globalization;
using Roost;
using Roost.SharedState;

var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8082;

// Where the sessions live: STATE=redis://127.0.0.1:6379 for Redis, a folder for SQLite (default .roost/state).
var state = SharedStateOptions.Parse(Environment.GetEnvironmentVariable("STATE") ?? Path.Combine(".roost", "state"));

if (Cluster.IsPrimary)
{
    // The one line for shared state in a cluster program: the store and the Data Protection key ring are made
    // once, here, before any worker starts (a no-op in workers).
    await SharedStateSetup.PrepareInPrimaryAsync(state);

    // Managed mode: a worker that dies is replaced, so killing workers never stops the service.
    Cluster.SetupPrimary(new ClusterOptions { RespawnWorkers = true });
    Console.WriteLine($"primary {Environment.ProcessId}: open http://127.0.0.1:{port}/ and reload; kill a worker with kill -9 <pid>");
    Cluster.WorkerListening += (_, e) => Console.WriteLine($"worker {e.Worker.Pid} listening");
    Cluster.WorkerExited += (_, e) => Console.WriteLine($"worker {e.Worker.Pid} exited ({(e.Signal is null ? $"code {e.ExitCode}" : $"signal {e.Signal}")}); a new one starts");
    for (var i = 0; i < Environment.ProcessorCount; i++)
    {
        Cluster.Fork();
    }

    return await Cluster.WaitForExitAsync();
}

var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
var options = new ServerOptions().UseSharedState(state);
await using var server = Http.CreateServer(options, async (req, res) =>
{
    if (req.Path != "/")
    {
        res.StatusCode = 404;
        await res.EndAsync();
        return;
    }

    // The session cookie (roost.sid) identifies the browser; the count lives in the shared store, so any worker
    // continues it. IncrementAsync is atomic across workers.
    var session = await req.GetSessionAsync();
    var visits = await session.IncrementAsync("visits");
    await res.EndAsync($"visit {visits} (answered by worker pid {pid})\n");
});
await server.ListenAsync(port, "127.0.0.1");
await server.WaitForShutdownAsync();
return 0;
