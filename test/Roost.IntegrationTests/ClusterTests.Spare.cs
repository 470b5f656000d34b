using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>Hot spares and the fork environment of respawned workers (managed mode).</summary>
public sealed partial class ClusterTests
{
    // Verifies: with a hot spare, kill -9 of a worker under load promotes the spare (its pid, never in
    // Cluster.Workers before, takes the slot and serves, with the dead worker's fork environment), a new spare is
    // started, and no connection is refused.
    [Fact]
    public async Task KillWorker_WithHotSpare_SpareIsPromotedAndServes_NewSpareStarts_NoConnectionRefused()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new()
        {
            ["TH_RESPAWN"] = "1",
            ["TH_HOT_SPARES"] = "1",
            ["TH_PRIMARY_LOG"] = "1",
            ["TH_STATS_MS"] = "300",
            ["TH_FORK_TAG"] = "tagged",
        });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var spare = (await WaitForSparesAsync(primary, 1))[0];
        await WaitForContainsAsync(primary, $"hot spare worker {spare.Id} (pid {spare.Pid}, generation 1) is built and waiting", Timeout);
        await ClusterHost.WaitForLinesAsync(primary, "stats ", 2, Timeout);
        var victim = ClusterHost.ForkedPids(primary)[0];

        var probe = new LoadProbe();
        using var stop = new CancellationTokenSource();
        var load = probe.RunAsync($"http://127.0.0.1:{port}/", concurrency: 4, stop.Token);
        await Task.Delay(1000, Ct);
        var clock = Stopwatch.StartNew();
        Process.GetProcessById(victim).Kill();
        var promoted = await ClusterHost.WaitForLinesAsync(primary, $"listening {spare.Id} ", 1, Timeout);
        var back = clock.Elapsed;
        var next = (await WaitForSparesAsync(primary, 2))[1];
        await Task.Delay(1000, Ct);
        await stop.CancelAsync();
        await load;

        using var client = TestClients.Cleartext();
        var tags = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/tag");
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, Ct);
            tags.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        var statsBeforeKill = primary.Lines.TakeWhile(l => !l.StartsWith($"exit ", StringComparison.Ordinal)).Where(l => l.StartsWith("stats ", StringComparison.Ordinal)).ToList();
        Report($"kill -9 → promoted spare listening {back.TotalMilliseconds:0} ms; requests ok {probe.Ok}, refused {probe.Refused}, failed {probe.Failed}; per pid: {string.Join(", ", probe.Bodies.Select(b => $"{b.Key}={b.Value}"))}");
        Assert.Contains($"forked {spare.Id} {spare.Pid} 1", primary.Lines);
        Assert.Equal(spare.Pid.ToString(CultureInfo.InvariantCulture), promoted[0].Split(' ')[2]);
        Assert.Contains(primary.Lines, l => l.Contains($"Promoted hot spare worker {spare.Id} (pid {spare.Pid}, generation 1) into slot 0 of worker 1 (pid {victim})", StringComparison.Ordinal));
        Assert.NotEqual(spare.Pid, next.Pid);
        Assert.DoesNotContain(statsBeforeKill, l => l.Split(' ')[2] == spare.Pid.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, probe.Refused);
        Assert.True(probe.Failed <= 4, $"{probe.Failed} requests failed; only the killed worker's in-flight ones (≤ 4) may.");
        Assert.Contains(spare.Pid.ToString(CultureInfo.InvariantCulture), probe.Bodies.Keys);
        Assert.Equal(["tagged"], tags);
    }

    // Verifies: a crash respawn (no spare) starts the replacement with the dead worker's fork environment; the
    // replacement's server log lines carry its identity.
    [Fact]
    public async Task KillWorker_ColdRespawn_ReplacementKeepsTheForkEnvironment()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_RESPAWN"] = "1", ["TH_FORK_TAG"] = "tagged", ["TH_LOG"] = "1" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var victim = ClusterHost.ForkedPids(primary)[0];
        Process.GetProcessById(victim).Kill();
        var replacement = (await ClusterHost.WaitForLinesAsync(primary, "listening 3 ", 1, Timeout))[0].Split(' ')[2];

        // Each new connection lands on either slot (reuseport hash): 40 of them reach both workers.
        using var client = TestClients.Cleartext();
        var pids = new HashSet<string>();
        var tags = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            foreach (var (path, seen) in new[] { ("/", pids), ("/tag", tags) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
                request.Headers.ConnectionClose = true;
                using var response = await client.SendAsync(request, Ct);
                seen.Add(await response.Content.ReadAsStringAsync(Ct));
            }
        }

        Assert.Contains(replacement, pids);
        Assert.Equal(["tagged"], tags);

        // The servers' own log lines in a worker name the worker (TH_LOG=1: console logging in the workers).
        Assert.Contains(primary.Lines, l => l.Contains($"[worker 3 (pid {replacement}, generation 1)] Listening on 127.0.0.1:{port}", StringComparison.Ordinal));
    }

    // Verifies: a spare that fails during startup is reported once as a boot-failure signal, no new spare is started
    // (no loop), the cluster keeps serving and a crash is then answered by a cold respawn.
    [Fact]
    public async Task HotSpareBootFailure_IsReportedOnce_NoLoop_ClusterKeepsServing()
    {
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new()
        {
            ["TH_RESPAWN"] = "1",
            ["TH_HOT_SPARES"] = "1",
            ["TH_PRIMARY_LOG"] = "1",
            ["TH_WORKER_MODE"] = "spare-boot-fail",
        });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var failed = await WaitForContainsAsync(primary, "before its app was built; no more hot spares are started", Timeout);
        await Task.Delay(2000, Ct);

        using var client = TestClients.Cleartext();
        var body = await client.GetStringAsync($"http://127.0.0.1:{port}/", Ct);
        var victim = ClusterHost.ForkedPids(primary)[0];
        Process.GetProcessById(victim).Kill();
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 3, Timeout);

        Report(failed);
        Assert.Matches(@"^fail: .*Hot spare worker 3 \(pid \d+, generation 1\) (exited with code \d+|was killed by SIG\w+) before its app was built", failed);
        Assert.Single(primary.Lines, l => l.Contains("Started hot spare worker", StringComparison.Ordinal));
        Assert.False(primary.HasExited);
        Assert.Contains(body, ClusterHost.ForkedPids(primary).Select(p => p.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<(int Id, int Pid)[]> WaitForSparesAsync(TestProcess primary, int count)
    {
        await WaitForContainsAsync(primary, "Started hot spare worker", Timeout, count);
        return [.. primary.Lines.Select(l => SpareLine().Match(l)).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];
    }

    private static async Task<string> WaitForContainsAsync(TestProcess primary, string text, TimeSpan timeout, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var lines = primary.Lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
            if (lines.Count >= count)
            {
                return lines[count - 1];
            }

            if (primary.HasExited || clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{lines.Count} of {count} lines containing '{text}' (exited: {primary.HasExited}). Output:\n{primary.Output}");
            }

            await Task.Delay(50, Ct);
        }
    }

    [GeneratedRegex(@"Started hot spare worker (\d+) \(pid (\d+),")]
    private static partial Regex SpareLine();
}
