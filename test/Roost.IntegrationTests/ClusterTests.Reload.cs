using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>Rolling reload (SIGHUP to the primary) under load, and a reload whose new workers cannot boot.</summary>
public sealed partial class ClusterTests
{
    private const int SigHup = 1;

    // Verifies: 5 rolling reloads (SIGHUP) under continuous HTTP/1.1 load — keep-alive loops, a new connection per
    // request, and wrk (which counts a keep-alive connection reset under it as a socket error) — fail no request and
    // refuse no connection; each reload forks the next generation and the new pids serve; every old worker exits.
    // With the keep-alive drain window (1 s, the default) wrk also sees no reset; without it (0: Kestrel's shutdown
    // closes idle keep-alive connections at once) the resets are only reported, as the measurement to compare.
    [Theory]
    [InlineData(1000)]
    [InlineData(0)]
    public async Task RollingReload_FiveSighupsUnderKeepAliveLoad_NoFailedRequest_NewPidsServe(int keepAliveWindowMs)
    {
        const int reloads = 5;
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new()
        {
            ["TH_RESPAWN"] = "1",
            ["TH_DRAIN_MS"] = "5000",
            ["TH_KEEPALIVE_DRAIN_MS"] = keepAliveWindowMs.ToString(CultureInfo.InvariantCulture),
        });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var url = $"http://127.0.0.1:{port}/";
        try
        {
            var keepAlive = new LoadProbe(keepAlive: true);
            var fresh = new LoadProbe();
            using var stop = new CancellationTokenSource();
            var loads = Task.WhenAll(keepAlive.RunAsync(url, concurrency: 4, stop.Token), fresh.RunAsync(url, concurrency: 2, stop.Token));
            var wrk = ExternalTool.Find("wrk") is { } wrkPath
                ? TestProcess.RunAsync(wrkPath, ["-t1", "-c8", $"-d{(reloads * 4) + 4}s", url], TimeSpan.FromSeconds(90))
                : null;
            await Task.Delay(1500, Ct);
            var clock = Stopwatch.StartNew();
            var times = new List<double>();
            for (var i = 1; i <= reloads; i++)
            {
                var started = clock.Elapsed;
                primary.Signal(SigHup);
                await ClusterHost.WaitForLinesAsync(primary, "forked ", 2 + (2 * i), Timeout);
                await ClusterHost.WaitForLinesAsync(primary, "exit ", 2 * i, Timeout);
                times.Add((clock.Elapsed - started).TotalMilliseconds);
                await Task.Delay(1500, Ct);
            }

            var wrkOutput = wrk is null ? "(wrk not installed)" : (await wrk).Output;
            await stop.CancelAsync();
            await loads;

            var forked = primary.Lines.Where(l => l.StartsWith("forked ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToArray();
            var lastPids = forked.Where(f => f[3] == (reloads + 1).ToString(CultureInfo.InvariantCulture)).Select(f => f[2]).ToArray();
            var socketErrors = Regex.Match(wrkOutput, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
            var non2xx = Regex.Match(wrkOutput, @"Non-2xx or 3xx responses: (\d+)");
            Report($"keep-alive drain window {keepAliveWindowMs} ms: {reloads} reloads, each (SIGHUP → both old workers exited) {string.Join(", ", times.Select(t => $"{t:0}"))} ms; "
                + $"keep-alive ok {keepAlive.Ok}, refused {keepAlive.Refused}, failed {keepAlive.Failed}; new-connection ok {fresh.Ok}, refused {fresh.Refused}, failed {fresh.Failed}; "
                + $"errors: {string.Join(" | ", keepAlive.Errors.Concat(fresh.Errors))}\nwrk:\n{wrkOutput}");

            Assert.Equal(2 + (2 * reloads), forked.Length);
            Assert.Equal(2, lastPids.Length);
            Assert.Equal(0, keepAlive.Failed + keepAlive.Refused + fresh.Failed + fresh.Refused);
            Assert.False(non2xx.Success, "wrk saw non-2xx answers");
            Assert.Contains(lastPids[0], await GetBodiesAsync(url, 40));
            Assert.Equal(2, primary.Lines.Count(l => l.StartsWith("listening ", StringComparison.Ordinal) && lastPids.Contains(l.Split(' ')[2])));
            Assert.False(primary.HasExited);
            if (socketErrors.Success)
            {
                var resets = int.Parse(socketErrors.Groups[2].Value, CultureInfo.InvariantCulture) + int.Parse(socketErrors.Groups[3].Value, CultureInfo.InvariantCulture);
                Report($"wrk: {resets} keep-alive connection(s) reset under the client in {reloads} reloads ({socketErrors.Value})");
                if (keepAliveWindowMs > 0)
                {
                    Assert.Equal("connect 0, read 0, write 0, timeout 0", socketErrors.Value["Socket errors: ".Length..]);
                }
            }
        }
        finally
        {
            ClusterHost.KillAll(ClusterHost.ForkedPids(primary));
        }
    }

    // Verifies: a reload whose new worker throws at startup (a broken new build) aborts with an error naming the
    // worker and the way out; the old generation keeps serving without a failed request; a later reload after the
    // fix succeeds (generation 2 again: an aborted reload that replaced nobody does not use up a generation).
    [Fact]
    public async Task RollingReload_NewWorkerFailsAtBoot_AbortsAndTheOldGenerationKeepsServing()
    {
        using var temp = new TempDirectory();
        var failFile = Path.Combine(temp.Path, "broken-build");
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_RESPAWN"] = "1", ["TH_BOOT_FAIL_FILE"] = failFile, ["TH_DRAIN_MS"] = "5000" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var oldPids = ClusterHost.ForkedPids(primary).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
        var url = $"http://127.0.0.1:{port}/";
        try
        {
            var probe = new LoadProbe(keepAlive: true);
            using var stop = new CancellationTokenSource();
            var load = probe.RunAsync(url, concurrency: 2, stop.Token);
            await File.WriteAllTextAsync(failFile, "broken", Ct);
            primary.Signal(SigHup);
            var aborted = await primary.WaitForLineAsync("Reload aborted", Timeout);
            await ClusterHost.WaitForLinesAsync(primary, "exit ", 1, Timeout);
            await Task.Delay(1000, Ct);
            Assert.False(primary.HasExited, primary.Output);
            Assert.All(oldPids, pid => Assert.True(ProcessProbe.IsAlive(int.Parse(pid, CultureInfo.InvariantCulture)), $"old worker {pid} stopped"));
            var afterAbort = await GetBodiesAsync(url, 40);
            Assert.Subset(oldPids.ToHashSet(), afterAbort);

            File.Delete(failFile);
            primary.Signal(SigHup);
            await ClusterHost.WaitForLinesAsync(primary, "exit ", 3, Timeout);
            await stop.CancelAsync();
            await load;

            Report($"abort: {aborted}; requests ok {probe.Ok}, failed {probe.Failed}, refused {probe.Refused}; errors: {string.Join(" | ", probe.Errors)}");
            Assert.Contains("generation 2", aborted);
            Assert.Contains("old generation keeps serving", aborted);
            Assert.Equal(0, probe.Failed + probe.Refused);
            var second = primary.Lines.Where(l => l.StartsWith("forked ", StringComparison.Ordinal) && l.EndsWith(" 2", StringComparison.Ordinal)).ToArray();
            Assert.Equal(3, second.Length);
            Assert.Contains(second[2].Split(' ')[2], await GetBodiesAsync(url, 40));
        }
        finally
        {
            ClusterHost.KillAll(ClusterHost.ForkedPids(primary));
        }
    }

    // Verifies: requests with 2 s handlers in flight while their worker is replaced (3 SIGHUP reloads) all complete
    // with 200 (the old worker drains them before it exits), next to fast keep-alive load; nothing fails.
    [Fact]
    public async Task RollingReload_TwoSecondRequestsInFlight_AllComplete()
    {
        const int reloads = 3;
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new() { ["TH_RESPAWN"] = "1", ["TH_DRAIN_MS"] = "10000" });
        await ClusterHost.WaitForLinesAsync(primary, "listening ", 2, Timeout);
        var url = $"http://127.0.0.1:{port}/";
        try
        {
            var slow = new LoadProbe(keepAlive: true);
            var fast = new LoadProbe(keepAlive: true);
            using var stop = new CancellationTokenSource();
            var loads = Task.WhenAll(slow.RunAsync(url + "slow?ms=2000", concurrency: 6, stop.Token), fast.RunAsync(url, concurrency: 2, stop.Token));
            for (var i = 1; i <= reloads; i++)
            {
                await Task.Delay(1000, Ct);
                primary.Signal(SigHup);
                await ClusterHost.WaitForLinesAsync(primary, "exit ", 2 * i, Timeout);
            }

            await stop.CancelAsync();
            await loads;
            var served = primary.Lines.Where(l => l.StartsWith("served ", StringComparison.Ordinal)).ToArray();
            Report($"{reloads} reloads with 2 s requests in flight: slow ok {slow.Ok}, failed {slow.Failed}, refused {slow.Refused}; fast ok {fast.Ok}, failed {fast.Failed}; old workers: {string.Join(", ", served)}; errors: {string.Join(" | ", slow.Errors.Concat(fast.Errors))}");
            Assert.Equal(0, slow.Failed + slow.Refused + fast.Failed + fast.Refused);
            Assert.True(slow.Ok >= 6 * reloads, $"only {slow.Ok} slow requests completed");
        }
        finally
        {
            ClusterHost.KillAll(ClusterHost.ForkedPids(primary));
        }
    }

    private static async Task<HashSet<string>> GetBodiesAsync(string url, int count)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        var bodies = new HashSet<string>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, Ct);
            bodies.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        return bodies;
    }
}
