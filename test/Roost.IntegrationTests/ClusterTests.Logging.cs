using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

public sealed partial class ClusterTests
{
    // Verifies: workers share the primary's stdout (a pipe here, as under systemd or docker); lines longer than the
    // 256-character buffer of Console's writer, written by 3 workers at once through a console logger and
    // Console.WriteLine, each reach the pipe whole: no line is cut by another process's line (one write(2) per line).
    [Fact]
    public async Task LogBurst_ThreeWorkersWriteLongLinesAtOnce_EveryLineArrivesWhole()
    {
        const int workers = 3;
        const int lines = 300;
        var port = FreePort.Get();
        await using var primary = ClusterHost.Start(port, new()
        {
            ["TH_WORKERS"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TH_WORKER_MODE"] = "log-burst",
            ["TH_BURST_LINES"] = lines.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var done = await WaitForBurstDoneAsync(primary, workers);
        Assert.True(done, $"not every worker reported burst-done. Output:\n{Tail(primary.Output)}");

        var whole = new Regex(@"^(info: Burst\[0\] burst-log (\d) (\d+) x{900}|burst-out (\d) (\d+) y{900})$");
        var output = primary.Lines.ToArray();

        // A burst line, a piece of one, or the primary's own "message N \"burst-done\"" line glued to a worker's.
        var torn = output.Where(l => (l.Contains("burst-", StringComparison.Ordinal) || l.Contains("xxxxxxxxxx", StringComparison.Ordinal)
            || l.Contains("yyyyyyyyyy", StringComparison.Ordinal)) && !whole.IsMatch(l) && !Regex.IsMatch(l, @"^message \d ""burst-done""$")).ToArray();
        var wholeCount = output.Count(whole.IsMatch);
        Report($"{wholeCount} whole burst lines of {workers * lines * 2}; {torn.Length} torn");
        Assert.True(torn.Length == 0, $"{torn.Length} torn lines, e.g.:\n{string.Join("\n", torn.Take(3).Select(l => l.Length > 400 ? l[..200] + " … " + l[^200..] : l))}");
        Assert.Equal(workers * lines * 2, wholeCount);
    }

    private static async Task<bool> WaitForBurstDoneAsync(TestProcess primary, int workers)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (primary.Lines.Count(l => l.Contains("\"burst-done\"", StringComparison.Ordinal)) >= workers)
            {
                // The console logger writes from its queue thread; the worker disposed it (flushing) before reporting.
                await Task.Delay(500, Ct);
                return true;
            }

            await Task.Delay(100, Ct);
        }

        return false;
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;
}
