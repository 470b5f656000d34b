using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// The primary under systemd (<c>Type=notify</c>, docs/deploy.md): the notify protocol, the watchdog, and signals that
/// keep their meaning however the primary was started.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SystemdNotifyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // WATCHDOG_USEC for the test: 2 s, so pings must come at least every second.
    private const long WatchdogMicroseconds = 2_000_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: with NOTIFY_SOCKET set, `roost serve --workers 2` sends READY=1 once both workers are ready, RELOADING=1
    // with a MONOTONIC_USEC taken after the SIGHUP then READY=1 when the reload is done, STOPPING=1 on SIGTERM, readable
    // STATUS= lines, and WATCHDOG=1 at most WATCHDOG_USEC/2 apart (plus a quarter of that for a loaded machine);
    // workers do not see NOTIFY_SOCKET.
    [Fact]
    public async Task Serve_NotifySocket_ReadyReloadingReadyStopping_WithWatchdog()
    {
        using var folder = new TempDirectory("roost-notify");
        using var systemd = new NotifySocket(folder.File("notify.sock"));
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var roost = RoostCli.Start(Arguments(chain, port), environment: new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = systemd.Path,
            ["WATCHDOG_USEC"] = WatchdogMicroseconds.ToString(CultureInfo.InvariantCulture),
            ["WATCHDOG_PID"] = null,
        });

        var ready = await systemd.WaitForAsync(d => d.Has("READY=1"), Timeout);
        Assert.Equal("2 workers ready, generation 1", systemd.Received[ready].Value("STATUS"));
        Assert.Equal(2, roost.Lines.Count(l => l.Contains("generation 1) is ready: listening", StringComparison.Ordinal)));
        Assert.Contains(systemd.Received.Take(ready), d => d.Value("STATUS") == "starting: 1 of 2 workers ready");
        foreach (var worker in ProcessProbe.Children(roost.Pid))
        {
            var environment = await File.ReadAllTextAsync($"/proc/{worker}/environ", Ct);
            Assert.DoesNotContain("NOTIFY_SOCKET=", environment, StringComparison.Ordinal);
            Assert.DoesNotContain("WATCHDOG_USEC=", environment, StringComparison.Ordinal);
        }

        var beforeHangup = NotifySocket.MonotonicMicroseconds();
        roost.Signal(1);
        var reloading = await systemd.WaitForAsync(d => d.Has("RELOADING=1"), Timeout, skip: ready + 1);
        var stamp = long.Parse(systemd.Received[reloading].Value("MONOTONIC_USEC") ?? "missing", CultureInfo.InvariantCulture);
        Assert.InRange(stamp, beforeHangup, systemd.Received[reloading].ArrivedMicroseconds);
        Assert.Equal("reloading to generation 2: 0 of 2 workers replaced", systemd.Received[reloading].Value("STATUS"));

        var reloaded = await systemd.WaitForAsync(d => d.Has("READY=1"), Timeout, skip: reloading + 1);
        Assert.Equal("2 workers ready, generation 2", systemd.Received[reloaded].Value("STATUS"));
        Assert.Contains(systemd.Received.Skip(reloading).Take(reloaded - reloading), d => d.Value("STATUS") == "reloading to generation 2: 1 of 2 workers replaced");
        await roost.WaitForLineAsync("Rolling reload to generation 2 done", Timeout);

        // Watch the watchdog for a few seconds of steady serving as well.
        await Task.Delay(3000, Ct);
        roost.Signal(15);
        var stopping = await systemd.WaitForAsync(d => d.Has("STOPPING=1"), Timeout, skip: reloaded + 1);
        Assert.StartsWith("stopping: ", systemd.Received[stopping].Value("STATUS"), StringComparison.Ordinal);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));

        var received = systemd.Received;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', received.Where(d => !d.Has("WATCHDOG=1"))));
        Assert.Equal(2, received.Count(d => d.Has("READY=1")));
        Assert.Single(received, d => d.Has("RELOADING=1"));
        Assert.Single(received, d => d.Has("STOPPING=1"));

        var pings = received.Take(stopping + 1).Where(d => d.Has("WATCHDOG=1")).Select(d => d.ArrivedMicroseconds).ToList();
        Assert.True(pings.Count > 0 && pings[0] <= received[ready].ArrivedMicroseconds, "the watchdog is pinged from startup on");
        var gaps = pings.Zip(pings.Skip(1), (a, b) => b - a).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"{pings.Count} watchdog pings, largest gap {gaps.Max() / 1000} ms");
        Assert.InRange(gaps.Max(), 0, (WatchdogMicroseconds / 2) + (WatchdogMicroseconds / 8));
        Assert.True(received[stopping].ArrivedMicroseconds - pings[^1] <= WatchdogMicroseconds / 2, "pings continue up to the stop");
    }

    // Verifies: a primary started the way nohup and a script's `cmd &` start it (SIGHUP and SIGINT ignored, inherited
    // through exec) still reloads on SIGHUP — new worker pids, generation 2 — and stops gracefully (exit 0) on SIGINT.
    [Fact]
    public async Task Serve_SighupAndSigintInheritedAsIgnored_SighupReloads_SigintStops()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var roost = RoostCli.StartWithIgnoredSignals(["HUP", "INT"], Arguments(chain, port));
        await WaitForReadyAsync(roost, "generation 1", 2);
        Assert.Contains(roost.Lines, l => l.Contains("SIGHUP was inherited as ignored", StringComparison.Ordinal));
        var oldWorkers = ProcessProbe.Children(roost.Pid).ToArray();
        Assert.Equal(2, oldWorkers.Length);

        roost.Signal(1);
        await roost.WaitForLineAsync("Rolling reload to generation 2 done: 2 worker(s) replaced", Timeout);
        Assert.Equal(2, roost.Lines.Count(l => l.Contains("generation 2) is ready: listening", StringComparison.Ordinal)));
        var workers = await WaitForChildrenAsync(roost.Pid, oldWorkers);
        Assert.Empty(workers.Intersect(oldWorkers));

        roost.Signal(2);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        Assert.Contains(roost.Lines, l => l.Contains("(SIGINT)", StringComparison.Ordinal));
    }

    private static string[] Arguments(TestChain chain, int port) =>
        ["serve", "--workers", "2", "--no-hot-spare", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
         "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--shutdown-timeout", "10"];

    private static async Task WaitForReadyAsync(TestProcess roost, string generation, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (roost.Lines.Count(l => l.Contains(generation + ") is ready: listening", StringComparison.Ordinal)) < count)
        {
            await roost.WaitForLineAsync(generation + ") is ready: listening", Timeout);
            await Task.Delay(100, cts.Token);
        }
    }

    /// <summary>The old workers drain and exit after their successors are ready; waits until none of them is a child any more.</summary>
    private static async Task<int[]> WaitForChildrenAsync(int primary, int[] oldWorkers)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var children = ProcessProbe.Children(primary).ToArray();
        while (children.Intersect(oldWorkers).Any())
        {
            await Task.Delay(100, cts.Token);
            children = ProcessProbe.Children(primary).ToArray();
        }

        return children;
    }
}
