using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// The cluster runtime with real processes (primary + workers): shared port, respawn, boot failure, crash loop,
/// graceful stop, orphans, IPC robustness. One class, so these process-heavy tests run one at a time.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    // Verifies: N forked workers all serve the one port the primary owns, each from its own process.
    [Theory]
    [InlineData("shared")]
    [InlineData("reuseport")]
    [InlineData("handoff")]
    public async Task Fork_TwoWorkers_EachAnswersOnTheSharedPortWithItsOwnPid(string sharing)
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_SHARING"] = sharing });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var workers = ClusterHost.ForkedPids(primary).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToHashSet();

        var seen = new HashSet<string>();
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        for (var i = 0; i < 400 && seen.Count < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/");
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, Ct);
            seen.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal(2, workers.Count);
        Assert.Equal(workers, seen);
        Assert.DoesNotContain(primary.Pid.ToString(CultureInfo.InvariantCulture), seen);
    }

    // Verifies: the note's first program — every worker prints 3 (the primary's number++ is not shared), the
    // Korean lines, the seed body; SIGTERM stops it with exit code 0 and one exit line per worker.
    [Fact]
    public async Task SeedCluster_NumberDemo_WorkersShareNoState()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, project: "Seed.Cluster", folder: "samples");
        await ClusterHost.WaitForLinesAsync(primary, "", 1, Timeout);
        var started = await WaitForSuffixAsync(primary, "번 워커 실행", 2);

        using var client = TestClients.Cleartext();
        var body = await client.GetStringAsync($"http://127.0.0.1:{port}/", Ct);
        primary.Signal(15);
        var code = await primary.WaitForExitAsync(Timeout);

        Assert.Equal("<h1>hello Node!</h1><p>Bye Bye</p>", body);
        Assert.Contains($"마스터 프로세스 아이디 :{primary.Pid}", primary.Lines);
        Assert.Equal(2, primary.Lines.Count(l => l == "3"));
        Assert.DoesNotContain("4", primary.Lines);
        Assert.Equal(2, started.Length);
        Assert.Equal(0, code);
        Assert.Equal(2, primary.Lines.Count(l => l.EndsWith("번 워커가 종료되었습니다.", StringComparison.Ordinal)));
    }

    // Verifies: kill -9 of a worker under load — a replacement with a new pid serves, and no connection is
    // refused (the primary keeps the listening socket; only the killed worker's in-flight requests may fail).
    [Theory]
    [InlineData("shared")]
    [InlineData("reuseport")]
    [InlineData("handoff")]
    public async Task KillWorkerUnderLoad_ReplacementServes_NoConnectionRefused(string sharing)
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_RESPAWN"] = "1", ["TH_SHARING"] = sharing });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var victim = ClusterHost.ForkedPids(primary)[0];

        var probe = new LoadProbe();
        using var stop = new CancellationTokenSource();
        var load = probe.RunAsync($"http://127.0.0.1:{port}/", concurrency: 4, stop.Token);
        await Task.Delay(1000, Ct);
        var clock = Stopwatch.StartNew();
        Process.GetProcessById(victim).Kill();
        var replaced = await ClusterHost.WaitForLinesAsync(primary, "listening 3 ", 1, Timeout);
        var respawn = clock.Elapsed;
        await Task.Delay(2000, Ct);
        await stop.CancelAsync();
        await load;

        var replacement = replaced[0].Split(' ')[2];
        Report($"{sharing}: respawn (kill -9 → replacement listening) {respawn.TotalMilliseconds:0} ms; requests ok {probe.Ok}, refused {probe.Refused}, failed {probe.Failed}; per pid: {string.Join(", ", probe.Bodies.Select(b => $"{b.Key}={b.Value}"))}; errors: {string.Join(" | ", probe.Errors)}");
        Assert.Equal(0, probe.Refused);
        Assert.True(probe.Failed <= 4, $"{probe.Failed} requests failed; only the killed worker's in-flight ones (≤ 4) may.");
        Assert.Contains(replacement, probe.Bodies.Keys);
        Assert.DoesNotContain(victim.ToString(CultureInfo.InvariantCulture), replacement);
    }

    // Verifies (handoff): connections handed to a worker that dies before it took them are not lost. The worker is
    // stopped (SIGSTOP), so the connections sent to it stay in its socket buffer; after kill -9 the primary hands its
    // own copies to the other worker, and every request is answered. Before the primary kept copies, those failed.
    [Fact]
    public async Task Handoff_WorkerKilledBeforeTakingConnections_TheyAreServedByAnother()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_RESPAWN"] = "1", ["TH_SHARING"] = "handoff" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var victim = ClusterHost.ForkedPids(primary)[0];
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Timeout };

        ProcessProbe.Signal(victim, 19);
        var requests = Enumerable.Range(0, 10).Select(_ => client.GetStringAsync($"http://127.0.0.1:{port}/", Ct)).ToArray();
        await Task.Delay(1000, Ct);
        Process.GetProcessById(victim).Kill();
        var outcomes = await Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return await r;
            }
            catch (HttpRequestException ex)
            {
                return "failed: " + ex.Message;
            }
        }));

        Report($"answers (pids): {string.Join(", ", outcomes)}");
        Assert.DoesNotContain(outcomes, o => o.StartsWith("failed", StringComparison.Ordinal));
        Assert.DoesNotContain(victim.ToString(CultureInfo.InvariantCulture), outcomes);
    }

    // Verifies: the note's second program under 10 s of load dies as in Node (each worker exits 1 s after
    // answering, nothing replaces it); with Roost's one added line it keeps answering. Reports the success ratio.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SeedClusterExit_UnderLoad_DiesWithoutRespawnAndSurvivesWithIt(bool respawn)
    {
        var port = FreePort.Get();
        var project = respawn ? "Seed.ClusterExit.Respawn" : "Seed.ClusterExit";
        await using var primary = ClusterHost.Start(port, project: project, folder: "samples");
        await WaitForSuffixAsync(primary, "번 워커 실행", 2);

        var probe = new LoadProbe();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await probe.RunAsync($"http://127.0.0.1:{port}/", concurrency: 2, stop.Token, pause: TimeSpan.FromMilliseconds(20));

        var exits = primary.Lines.Count(l => l.EndsWith("번 워커가 종료되었습니다.", StringComparison.Ordinal));
        Report($"{project}: {probe.Total} requests in 10 s, ok {probe.Ok}, refused {probe.Refused}, failed {probe.Failed}, success ratio {probe.SuccessRatio:P1}; workers exited: {exits}; primary alive at the end: {!primary.HasExited}");
        if (respawn)
        {
            Assert.False(primary.HasExited);
            Assert.Equal(0, probe.Refused);
            Assert.True(probe.SuccessRatio >= 0.9, $"success ratio {probe.SuccessRatio:P1}");
            Assert.True(exits >= 4);
        }
        else
        {
            // As in Node: two requests, two dead workers, then the primary has nothing left and exits.
            Assert.Equal(0, await primary.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(2, exits);
            Assert.True(probe.Refused > probe.Ok, $"refused {probe.Refused}, ok {probe.Ok}");
        }
    }

    // Verifies: a worker that throws before it listens stops the cluster with exit code 3 and one clear message,
    // and no worker is started again (no restart storm), even when the program's fork loop races the stop.
    [Fact]
    public async Task BootFailure_StopsWithExitCode3AndAClearMessage_NoRestartStorm()
    {
        await using var primary = ClusterHost.Start(FreePort.Get(), new() { ["TH_RESPAWN"] = "1", ["TH_WORKER_MODE"] = "boot-fail" });

        var code = await primary.WaitForExitAsync(Timeout);

        Assert.True(code == 3, $"exit code {code}; the primary's output:\n{string.Join("\n", primary.Lines)}");
        Assert.Single(primary.Lines, l => l.Contains("during startup, before it listened; workers are not restarted after boot failures, so the cluster stops (exit code 3)", StringComparison.Ordinal));
        // The program forks two; when the first has already failed, the second Fork starts nothing (the cluster is
        // stopping) instead of throwing — before, that race crashed the primary with SIGABRT (134) about 1 run in 6.
        Assert.InRange(ClusterHost.ForkedPids(primary).Length, 1, 2);
    }

    // Verifies: workers that crash right after they listen are restarted with a growing backoff, and the
    // MaxCrashes-th crash within the window stops the cluster with exit code 7.
    [Fact]
    public async Task CrashStorm_BackoffGrowsThenItGivesUp()
    {
        await using var primary = ClusterHost.Start(FreePort.Get(), new()
        {
            ["TH_RESPAWN"] = "1",
            ["TH_WORKER_MODE"] = "crash-after-ms:50",
            ["TH_MIN_UPTIME_MS"] = "60000",
            ["TH_MAX_CRASHES"] = "5",
        });

        var code = await primary.WaitForExitAsync(TimeSpan.FromSeconds(90));

        var delays = primary.Lines.Select(l => RestartDelay().Match(l)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Report($"restart delays: {string.Join(", ", delays)} ms");
        Assert.Equal(7, code);
        Assert.Equal(4, delays.Length);
        Assert.True(delays[^1] > 3 * delays[0], $"delays {string.Join(", ", delays)} did not grow");
        Assert.Contains(primary.Lines, l => l.Contains("Workers crashed 5 times within 60 s", StringComparison.Ordinal));
        Assert.True(ClusterHost.ForkedPids(primary).Length <= 6);
    }

    // Verifies: SIGTERM while slow requests are in flight on HTTP/1.1 and HTTP/2 (h2c): both complete with 200,
    // and the primary exits 0 once the workers drained.
    [Fact]
    public async Task Sigterm_SlowRequestsOnH1AndH2_CompleteAndThePrimaryExitsZero()
    {
        var port = FreePort.Get();
        var h2Port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["H2_PORT"] = h2Port.ToString(CultureInfo.InvariantCulture), ["TH_DRAIN_MS"] = "20000" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 4, Timeout);
        using var h1 = TestClients.Cleartext(HttpVersion.Version11);
        using var h2 = TestClients.Cleartext(HttpVersion.Version20);

        var clock = Stopwatch.StartNew();
        var slow1 = h1.GetAsync($"http://127.0.0.1:{port}/slow?ms=3000", Ct);
        var slow2 = h2.GetAsync($"http://127.0.0.1:{h2Port}/slow?ms=3000", Ct);
        await Task.Delay(800, Ct);
        primary.Signal(15);
        using var response1 = await slow1.WaitAsync(Timeout, Ct);
        using var response2 = await slow2.WaitAsync(Timeout, Ct);
        var code = await primary.WaitForExitAsync(Timeout);

        Report($"slow requests answered after {clock.ElapsedMilliseconds} ms; primary exit {code}");
        Assert.Equal(HttpStatusCode.OK, response1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response2.StatusCode);
        Assert.Equal(HttpVersion.Version20, response2.Version);
        Assert.Equal(0, code);
        Assert.Equal(2, primary.Lines.Count(l => l.StartsWith("exit ", StringComparison.Ordinal) && l.EndsWith("code=0 signal=", StringComparison.Ordinal)));
    }

    // Verifies: kill -9 of the primary leaves no orphan — workers see the closed channel / death signal and exit.
    [Fact]
    public async Task KillPrimary_NoWorkerIsLeftAfterAFewSeconds()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port);
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var workers = ClusterHost.ForkedPids(primary);
        try
        {
            primary.Signal(9);
            var clock = Stopwatch.StartNew();
            while (workers.Any(ProcessProbe.IsAlive) && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100, Ct);
            }

            Report($"workers gone {clock.ElapsedMilliseconds} ms after kill -9 of the primary");
            Assert.DoesNotContain(workers, ProcessProbe.IsAlive);
        }
        finally
        {
            ClusterHost.KillAll(workers);
        }
    }

    // Verifies: malformed, unknown and oversized IPC messages from a worker are logged with the worker id and
    // dropped; the channel stays usable (a valid message after them arrives) and the cluster keeps serving.
    [Fact]
    public async Task MalformedIpcMessage_IsLoggedAndDropped_ClusterKeepsServing()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_WORKER_MODE"] = "malformed" });
        await ClusterHost.WaitForLinesAsync(primary, "message ", 2, Timeout);

        using var client = TestClients.Cleartext();
        var response = await client.GetAsync($"http://127.0.0.1:{port}/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, primary.Lines.Count(l => l.StartsWith("message ", StringComparison.Ordinal) && l.EndsWith("\"still-alive\"", StringComparison.Ordinal)));
        Assert.Contains(primary.Lines, l => l.Contains("Dropped a message from worker 1 (pid", StringComparison.Ordinal) && l.Contains("invalid JSON", StringComparison.Ordinal));
        Assert.Contains(primary.Lines, l => l.Contains("Dropped a message from worker 1 (pid", StringComparison.Ordinal) && l.Contains("no-such-type", StringComparison.Ordinal));
        Assert.Contains(primary.Lines, l => l.Contains("Dropped a message from worker 1 (pid", StringComparison.Ordinal) && l.Contains("more than the limit of 1048576 bytes", StringComparison.Ordinal));
        Assert.False(primary.HasExited);
        Assert.DoesNotContain(primary.Lines, l => l.StartsWith("exit ", StringComparison.Ordinal));
    }

    // Verifies: a Cluster.Worker.MessageReceived handler that throws in a worker, and a Cluster.MessageReceived
    // handler that throws in the primary, are logged with the worker's identity; the other handlers still get the
    // message, the channel keeps delivering, no process exits and the cluster keeps serving (docs/cluster.md, "Messages").
    [Fact]
    public async Task MessageHandlerThrows_IsLoggedWithTheWorker_ChannelAndProcessesCarryOn()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_WORKER_MODE"] = "message-handler-throws" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var pids = ClusterHost.ForkedPids(primary);

        await ClusterHost.WaitForLinesAsync(primary, "message ", 6, Timeout);
        using var client = TestClients.Cleartext();
        var response = await client.GetAsync($"http://127.0.0.1:{port}/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        for (var id = 1; id <= 2; id++)
        {
            var pid = pids[id - 1];
            Assert.Contains($"message {id} \"got boom\"", primary.Lines);
            Assert.Contains($"message {id} \"got ping\"", primary.Lines);
            Assert.Contains(primary.Lines, l => l.Contains($"worker {id} (pid {pid}, generation 1): a Cluster.Worker.MessageReceived handler threw on a 'message' from the primary (payload kind String)", StringComparison.Ordinal));
            Assert.Contains(primary.Lines, l => l.Contains($"A Cluster.MessageReceived handler threw on a 'message' from worker {id} (pid {pid}, generation 1)", StringComparison.Ordinal));
        }

        Assert.Contains(primary.Lines, l => l.Contains("worker handler failure requested by TH_WORKER_MODE", StringComparison.Ordinal));
        Assert.Contains(primary.Lines, l => l.Contains("primary handler failure requested by TH_WORKER_MODE", StringComparison.Ordinal));
        Assert.False(primary.HasExited);
        Assert.DoesNotContain(primary.Lines, l => l.StartsWith("exit ", StringComparison.Ordinal));
    }

    // Verifies: Node's respawn idiom works — Cluster.Fork() called from a WorkerExited handler (on the supervisor
    // loop) starts a replacement that serves.
    [Fact]
    public async Task ForkFromExitHandler_NodeIdiom_StartsAReplacement()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_FORK_ON_EXIT"] = "1" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var victim = ClusterHost.ForkedPids(primary)[0];

        Process.GetProcessById(victim).Kill();
        var forked = await ClusterHost.WaitForLinesAsync(primary, "forked 3 ", 1, Timeout);
        await ClusterHost.WaitForLinesAsync(primary, "listening 3 ", 1, Timeout);

        Assert.Contains(primary.Lines, l => l == $"exit 1 {victim} code= signal=SIGKILL");
        Assert.False(primary.HasExited);
        Assert.NotEqual(victim.ToString(CultureInfo.InvariantCulture), forked[0].Split(' ')[2]);
    }

    // Verifies: a worker that stops answering (SIGSTOP: no heartbeats) is killed after the missed heartbeats and
    // replaced by a worker with a new pid (managed mode).
    [Fact]
    public async Task HungWorker_MissesHeartbeats_IsKilledAndReplaced()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_RESPAWN"] = "1", ["TH_HEARTBEAT_MS"] = "300" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var hung = ClusterHost.ForkedPids(primary)[0];

        var clock = Stopwatch.StartNew();
        ProcessProbe.Signal(hung, 19);
        var exit = await ClusterHost.WaitForLinesAsync(primary, $"exit 1 {hung} ", 1, Timeout);
        await ClusterHost.WaitForLinesAsync(primary, "listening 3 ", 1, Timeout);

        Report($"hung worker killed {clock.ElapsedMilliseconds} ms after SIGSTOP (limit 3 × 300 ms + up to 1 s tick)");
        Assert.EndsWith("code= signal=SIGKILL", exit[0], StringComparison.Ordinal);
        Assert.Contains(primary.Lines, l => l.Contains($"worker 1 (pid {hung}, generation 1) sent no heartbeat for", StringComparison.Ordinal));
    }

    private static async Task<string[]> WaitForSuffixAsync(TestProcess process, string suffix, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var lines = process.Lines.Where(l => l.EndsWith(suffix, StringComparison.Ordinal)).ToArray();
            if (lines.Length >= count)
            {
                return lines;
            }

            await Task.Delay(50, cts.Token);
        }
    }

    [GeneratedRegex(@"Restarting slot \d+ of worker .* in (\d+) ms")]
    private static partial Regex RestartDelay();
}
