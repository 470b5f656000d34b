using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Roost.Testing;

namespace Roost.Chaos;

/// <summary>The chaos a driver can cause.</summary>
public enum ChaosAction
{
    /// <summary>SIGKILL a ready worker (frozen with SIGSTOP first, so the connections it holds are read exactly).</summary>
    Kill,

    /// <summary>SIGSTOP a ready worker and leave it stopped: the supervisor's heartbeat check must kill and replace it.</summary>
    Hang,

    /// <summary>SIGHUP to the primary: a rolling reload to the next generation.</summary>
    Reload,

    /// <summary><c>roost scale +1</c> (up to the maximum).</summary>
    ScaleUp,

    /// <summary><c>roost scale -1</c> (down to the minimum).</summary>
    ScaleDown,

    /// <summary>Renewed certificate and key written over the served files (the workers' file watch reloads them).</summary>
    CertificateSwap,
}

/// <summary>What the driver needs to reach the server under test.</summary>
/// <param name="PrimaryPid">The roost primary's pid.</param>
/// <param name="Port">The HTTPS port.</param>
/// <param name="RunDirectory">The instance's --run-dir (its control socket).</param>
/// <param name="Roost">How to start the roost command (for <c>roost scale</c>): the program and the arguments before roost's own.</param>
/// <param name="Chain">The chain whose leaf and key files roost serves (renewed in place by <see cref="ChaosAction.CertificateSwap"/>).</param>
/// <param name="Workers">The worker count roost was started with.</param>
public sealed record ChaosTarget(int PrimaryPid, int Port, string RunDirectory, (string FileName, string[] Prefix) Roost, TestChain Chain, int Workers);

/// <summary>One action as it happened.</summary>
/// <param name="Cause">For kills and hangs: the cause the load's failures on the worker's connections are counted under (<see cref="ChaosLoad.FailuresByCause"/>).</param>
public sealed record ChaosEvent(TimeSpan At, ChaosAction Action, string What, int Connections, int InFlight, bool Ok, TimeSpan Took, string? Cause);

/// <summary>One sample of the primary.</summary>
public sealed record PrimarySample(TimeSpan At, int OpenFiles, long RssKilobytes, int LiveConnections, int Workers);

/// <summary>
/// Drives chaos against a running <c>roost serve</c> while a <see cref="ChaosLoad"/> runs: each action waits for the
/// cluster to settle (replacement ready, reload done, scale done, new certificate served), samples the primary's open
/// files and RSS every second, and records every process the primary started, so orphans can be found after it stops.
/// </summary>
public sealed class ChaosDriver(ChaosTarget target, ChaosLoad load, Action<string> log)
{
    private const int MinWorkers = 1;
    private const int MaxWorkers = 4;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(120);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<ChaosEvent> _events = [];
    private readonly List<PrimarySample> _samples = [];
    private readonly Dictionary<int, long> _seen = [];
    private int _targetWorkers = target.Workers;
    private string? _cause;

    /// <summary>Gets the actions done, in order.</summary>
    public IReadOnlyList<ChaosEvent> Events => _events;

    /// <summary>Gets the primary's samples, one a second.</summary>
    public IReadOnlyList<PrimarySample> Samples => _samples;

    /// <summary>Gets the worker count the scale actions asked for (the count the cluster must end with).</summary>
    public int ExpectedWorkers => _targetWorkers;

    /// <summary>Gets every process seen under the primary (pid → start time in ticks), for the orphan check.</summary>
    public IReadOnlyDictionary<int, long> SeenProcesses => _seen;

    /// <summary>Samples the primary every second until <paramref name="stop"/> fires.</summary>
    public async Task SampleAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Sample();
            try
            {
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Runs <paramref name="actions"/> in order, each after the previous settled, with <paramref name="pause"/> between them.</summary>
    public async Task RunAsync(IEnumerable<ChaosAction> actions, TimeSpan pause, CancellationToken stop)
    {
        foreach (var action in actions)
        {
            if (stop.IsCancellationRequested)
            {
                break;
            }

            await DoAsync(action);
            try
            {
                await Task.Delay(pause, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Random actions (seeded) until <paramref name="stop"/> fires, with a random pause of 1-4 s after each.</summary>
    public async Task RunRandomAsync(int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        TimeSpan? lastHang = null;
        while (!stop.IsCancellationRequested)
        {
            // Weights: kills most often; a hang at most once a minute (each costs the heartbeat timeout); scaling
            // moves toward the middle of 1-4 workers.
            var roll = random.Next(100);
            var action = roll switch
            {
                < 30 => ChaosAction.Kill,
                < 45 => ChaosAction.Reload,
                < 60 => _targetWorkers < MaxWorkers && (random.Next(2) == 0 || _targetWorkers <= MinWorkers) ? ChaosAction.ScaleUp : ChaosAction.ScaleDown,
                < 80 => ChaosAction.CertificateSwap,
                _ => lastHang is null || _clock.Elapsed - lastHang > TimeSpan.FromSeconds(60) ? ChaosAction.Hang : ChaosAction.Kill,
            };
            if (action == ChaosAction.ScaleDown && _targetWorkers <= MinWorkers)
            {
                action = ChaosAction.ScaleUp;
            }

            if (action == ChaosAction.Hang)
            {
                lastHang = _clock.Elapsed;
            }

            await DoAsync(action);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 4000)), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Does one action and waits for the cluster to settle after it.</summary>
    public async Task DoAsync(ChaosAction action)
    {
        var started = _clock.Elapsed;
        _cause = null;
        var (what, connections, inFlight, ok) = action switch
        {
            ChaosAction.Kill => await KillAsync(),
            ChaosAction.Hang => await HangAsync(),
            ChaosAction.Reload => await ReloadAsync(),
            ChaosAction.ScaleUp => await ScaleAsync(+1),
            ChaosAction.ScaleDown => await ScaleAsync(-1),
            _ => await SwapCertificateAsync(),
        };
        var done = new ChaosEvent(started, action, what, connections, inFlight, ok, _clock.Elapsed - started, _cause);
        _events.Add(done);
        log($"[chaos {started.TotalSeconds,6:F1}s] {action}: {what} ({(ok ? "ok" : "FAILED")}, {done.Took.TotalSeconds:F1} s)");
    }

    /// <summary>The primary's status over its control socket (the JSON status report).</summary>
    public async Task<JsonElement> StatusAsync()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(target.RunDirectory, "control.sock")), timeout.Token);
        await socket.SendAsync("{\"v\":1,\"type\":\"status\"}\n"u8.ToArray(), SocketFlags.None, timeout.Token);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("workers", out _))
            {
                return document.RootElement.Clone();
            }
        }

        throw new InvalidOperationException($"The primary (pid {target.PrimaryPid}) sent no status report on {target.RunDirectory}/control.sock.");
    }

    /// <summary>The ready workers' (id, pid, generation).</summary>
    public async Task<List<(int Id, int Pid, int Generation)>> ReadyWorkersAsync()
    {
        var status = await StatusAsync();
        return [.. status.GetProperty("workers").EnumerateArray()
            .Where(w => w.GetProperty("state").GetString() == "ready")
            .Select(w => (w.GetProperty("id").GetInt32(), w.GetProperty("pid").GetInt32(), w.GetProperty("generation").GetInt32()))];
    }

    private async Task<(string, int, int, bool)> KillAsync()
    {
        var workers = await ReadyWorkersAsync();
        if (workers.Count == 0)
        {
            return ("no ready worker to kill", 0, 0, false);
        }

        var (id, pid, generation) = workers[Random.Shared.Next(workers.Count)];
        // Frozen first: it accepts and answers nothing more, so the connections read now are all it holds.
        ProcessProbe.Signal(pid, 19);
        var ports = WorkerSockets.ClientPorts(pid, target.Port);
        var cause = _cause = $"worker {id} (pid {pid}, generation {generation}) killed with SIGKILL";
        var (connections, inFlight) = load.Doom(ports, cause);
        ProcessProbe.Signal(pid, 9);
        var settled = await SettledAsync(except: pid);
        return ($"{cause}: it held {connections} client connection(s) with {inFlight} request(s) in flight; {(settled ? "replaced" : "NOT replaced within " + SettleTimeout.TotalSeconds + " s")}", connections, inFlight, settled);
    }

    private async Task<(string, int, int, bool)> HangAsync()
    {
        var workers = await ReadyWorkersAsync();
        if (workers.Count == 0)
        {
            return ("no ready worker to stop", 0, 0, false);
        }

        var (id, pid, generation) = workers[Random.Shared.Next(workers.Count)];
        ProcessProbe.Signal(pid, 19);
        var ports = WorkerSockets.ClientPorts(pid, target.Port);
        var cause = _cause = $"worker {id} (pid {pid}, generation {generation}) stopped with SIGSTOP";
        var (connections, inFlight) = load.Doom(ports, cause);

        // The supervisor kills a worker whose heartbeats stop (ClusterOptions.HeartbeatInterval × MissedHeartbeats,
        // 5 s × 3 by default, checked every second) and starts a replacement. Requests on its connections wait until then.
        var watch = Stopwatch.StartNew();
        while (ProcessProbe.IsAlive(pid) && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        var killed = !ProcessProbe.IsAlive(pid);
        var gone = watch.Elapsed;
        if (!killed)
        {
            // The heartbeat did not replace it: let it go on, so the run ends cleanly, and report the failure.
            ProcessProbe.Signal(pid, 18);
        }

        var settled = killed && await SettledAsync(except: pid);
        return ($"{cause}: it held {connections} client connection(s) with {inFlight} request(s) in flight; " +
            (killed ? $"the supervisor killed it {gone.TotalSeconds:F1} s later (heartbeat) and {(settled ? "replaced it" : "did NOT replace it")}" : "still alive after 60 s: NOT replaced by the heartbeat (SIGCONT sent)"),
            connections, inFlight, settled);
    }

    private async Task<(string, int, int, bool)> ReloadAsync()
    {
        var before = (await StatusAsync()).GetProperty("generation").GetInt32();
        ProcessProbe.Signal(target.PrimaryPid, 1);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < SettleTimeout)
        {
            var status = await StatusAsync();
            if (status.GetProperty("generation").GetInt32() > before && Settled(status))
            {
                return ($"SIGHUP: rolling reload from generation {before} to {status.GetProperty("generation").GetInt32()}", 0, 0, true);
            }

            await Task.Delay(200);
        }

        return ($"SIGHUP: the rolling reload from generation {before} did NOT finish within {SettleTimeout.TotalSeconds} s", 0, 0, false);
    }

    private async Task<(string, int, int, bool)> ScaleAsync(int delta)
    {
        var wanted = Math.Clamp(_targetWorkers + delta, MinWorkers, MaxWorkers);
        var (code, output) = await TestProcess.RunAsync(target.Roost.FileName,
            [.. target.Roost.Prefix, "scale", wanted.ToString(CultureInfo.InvariantCulture), "--run-dir", target.RunDirectory], SettleTimeout);
        if (code == 0)
        {
            _targetWorkers = wanted;
        }

        var settled = code == 0 && await SettledAsync();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty;
        return ($"roost scale {wanted}: exit {code}: {last.Trim()}", 0, 0, settled);
    }

    private async Task<(string, int, int, bool)> SwapCertificateAsync()
    {
        using var renewed = target.Chain.Renew();
        var serial = renewed.SerialNumber;
        // Each file replaced in one rename, the key first: a watcher never reads half a file.
        Replace(target.Chain.KeyPath, TestCertificates.KeyPem(renewed));
        Replace(target.Chain.LeafPath, TestCertificates.Pem(renewed));

        // Done when 8 new handshakes in a row (spread over the workers by the kernel) present the new serial.
        var watch = Stopwatch.StartNew();
        var inARow = 0;
        while (watch.Elapsed < SettleTimeout && inARow < 8)
        {
            try
            {
                using var served = await TlsProbe.GetServerCertificateAsync(target.Port);
                inARow = served.SerialNumber == serial ? inARow + 1 : 0;
            }
            catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                inARow = 0;
            }

            if (inARow < 8)
            {
                await Task.Delay(100);
            }
        }

        return inARow >= 8
            ? ($"certificate and key files replaced (serial {serial}); served by new handshakes {watch.Elapsed.TotalSeconds:F1} s later", 0, 0, true)
            : ($"certificate and key files replaced (serial {serial}); NOT served within {SettleTimeout.TotalSeconds} s", 0, 0, false);

        static void Replace(string path, string content)
        {
            var temporary = path + ".new";
            File.WriteAllText(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
    }

    /// <summary>Waits until the cluster has its target count of ready workers (at the start of a run); false after the settle timeout.</summary>
    public Task<bool> WaitSettledAsync() => SettledAsync();

    /// <summary>Waits until the cluster has its target count of ready workers, none starting or draining (and <paramref name="except"/> is not among them).</summary>
    private async Task<bool> SettledAsync(int except = 0)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < SettleTimeout)
        {
            var status = await StatusAsync();
            if (Settled(status) && status.GetProperty("workers").EnumerateArray().All(w => w.GetProperty("pid").GetInt32() != except))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    private bool Settled(JsonElement status)
    {
        var workers = status.GetProperty("workers").EnumerateArray().Where(w => w.GetProperty("state").GetString() != "spare").ToList();
        return status.GetProperty("targetWorkers").GetInt32() == _targetWorkers
            && workers.Count == _targetWorkers
            && workers.All(w => w.GetProperty("state").GetString() == "ready");
    }

    private void Sample()
    {
        var pid = target.PrimaryPid;
        var workers = 0;
        var queue = new Queue<int>(ProcessProbe.Children(pid));
        while (queue.Count > 0)
        {
            var child = queue.Dequeue();
            workers++;
            if (!_seen.ContainsKey(child))
            {
                _seen[child] = WorkerSockets.StartTicks(child);
            }

            foreach (var grandchild in ProcessProbe.Children(child))
            {
                queue.Enqueue(grandchild);
            }
        }

        _samples.Add(new PrimarySample(_clock.Elapsed, WorkerSockets.OpenFiles(pid), ProcessProbe.RssKilobytes(pid), load.LiveConnections, workers));
    }

    /// <summary>Takes one sample now (e.g. right before the primary is stopped, so every process it started is known).</summary>
    public void SampleNow() => Sample();

    /// <summary>Processes seen under the primary during the run that still exist (same pid and start time) — call after the primary exited.</summary>
    public IReadOnlyList<string> Orphans()
    {
        return [.. _seen.Where(p => p.Value > 0 && WorkerSockets.StartTicks(p.Key) == p.Value)
            .Select(p => $"pid {p.Key}: {ReadCommandLine(p.Key)}")];

        static string ReadCommandLine(int pid)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                return "(gone)";
            }
        }
    }
}
