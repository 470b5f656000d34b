using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary><c>roost scale</c> while serving.</summary>
public sealed partial class ControlSocketTests
{
    // Verifies: `roost scale 4` then `roost scale 1` (and `+1`) on `roost serve --workers 2`, under continuous TLS load
    // (h2 and HTTP/1.1 keep-alive HttpClient loops, plus wrk over HTTP/1.1 keep-alive when installed): no request
    // fails, wrk sees no socket error (no keep-alive connection reset), and status shows 4, then 1, then 2 ready workers.
    // Regression (issue #5): the scale down used to stop the removed workers before it steered new connections away
    // from their slots, so a connection queued on a removed slot's socket was never answered (HttpClient timed out
    // after 30 s). The log must show the steering to slot 0 before the first removed worker is told to drain.
    [Fact]
    public async Task Scale_2To4To1To2_UnderH2AndH1Load_NoFailedRequest()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-control");
        var runDirectory = temp.File("run");
        var port = FreePort.Get();
        await using var roost = StartRoost(chain, port, "2", runDirectory);
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
            using var h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
            using var h1 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);
            var url = $"https://localhost:{port}/";
            var probe = new LoadProbe(keepAlive: true);
            using var stop = new CancellationTokenSource();
            var loads = Task.WhenAll(probe.RunAsync(h2, url, concurrency: 2, stop.Token), probe.RunAsync(h1, url, concurrency: 2, stop.Token));
            var wrk = ExternalTool.Find("wrk") is { } wrkPath
                ? TestProcess.RunAsync(wrkPath, ["-t1", "-c8", "-d20s", $"https://127.0.0.1:{port}/"], TimeSpan.FromSeconds(90))
                : null;
            string[] outputs;
            try
            {
                await Task.Delay(1000, Ct);
                var up = await RoostAsync("scale", "4", "--run-dir", runDirectory);
                Assert.True(up.ExitCode == 0, up.Output);
                Assert.Contains("Scaled from 2 to 4 worker(s).", up.Output, StringComparison.Ordinal);
                var four = await StatusJsonAsync(runDirectory);
                Assert.Equal(4, four.GetProperty("workers").EnumerateArray().Count(w => w.GetProperty("state").GetString() == "ready"));
                await Task.Delay(1000, Ct);

                var down = await RoostAsync("scale", "1", "--run-dir", runDirectory);
                Assert.True(down.ExitCode == 0, down.Output);
                Assert.Contains("Scaled from 4 to 1 worker(s).", down.Output, StringComparison.Ordinal);
                var one = await StatusJsonAsync(runDirectory);
                Assert.Equal(1, one.GetProperty("workers").GetArrayLength());
                Assert.Equal(0, one.GetProperty("workers")[0].GetProperty("slot").GetInt32());
                await Task.Delay(1000, Ct);

                var again = await RoostAsync("scale", "+1", "--run-dir", runDirectory);
                Assert.True(again.ExitCode == 0, again.Output);
                await Task.Delay(1000, Ct);
                outputs = [up.Output, down.Output, again.Output];
            }
            finally
            {
                await stop.CancelAsync();
                await loads;
            }

            var wrkOutput = wrk is null ? "(wrk not installed)" : (await wrk).Output;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"scale 2 → 4 → 1 → 2: {probe.Ok} HttpClient requests ok, {probe.Failed} failed, {probe.Refused} refused: {string.Join(" | ", probe.Errors.Take(10))}\n{string.Join("\n", outputs)}\nwrk:\n{wrkOutput}");
            Assert.Equal(0, probe.Failed + probe.Refused);
            var lines = roost.Lines.ToList();
            var steered = lines.FindIndex(l => l.TrimEnd().EndsWith("New reuseport connections go to slot(s) 0", StringComparison.Ordinal));
            var firstDrain = lines.FindIndex(l => l.Contains("is removed by a scale down", StringComparison.Ordinal));
            Assert.True(steered >= 0 && steered < firstDrain, roost.Output);
            Assert.DoesNotContain(lines, l => l.Contains("in the accept queue of removed slot", StringComparison.Ordinal));
            Assert.True(probe.Ok > 0);
            Assert.Equal(2, ProcessProbe.Children(roost.Pid).Count);
            if (wrk is not null)
            {
                Assert.DoesNotContain("Socket errors", wrkOutput, StringComparison.Ordinal);
                Assert.DoesNotContain("Non-2xx", wrkOutput, StringComparison.Ordinal);
                Assert.Matches(new Regex(@"\d+ requests in"), wrkOutput);
            }

            var (stopCode, stopOutput) = await RoostAsync("stop", "--run-dir", runDirectory, "--timeout", "5");
            Assert.True(stopCode == 0, stopOutput);
            Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        }
        finally
        {
            foreach (var pid in ProcessProbe.Children(roost.Pid))
            {
                ProcessProbe.Signal(pid, 9);
            }
        }
    }
}
