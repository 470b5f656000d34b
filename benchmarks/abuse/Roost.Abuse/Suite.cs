using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Roost.Abuse;

/// <summary>One attack against one target: what it answered, what the probe saw, what it cost the server.</summary>
public sealed record SuiteRow(string Attack, string Target, Tally Tally, ProbeWindow During, ProbeWindow After,
    double CpuPercent, double RssBeforeMb, double RssPeakMb, double RssAfterMb, int ProcessesEnded, double? KbPerConnection);

/// <summary>Runs attacks against several targets, interleaved (each attack on every target before the next attack).</summary>
public sealed class Suite(IReadOnlyList<Target> targets, IReadOnlyList<Attack> attacks, TimeSpan duration, TimeSpan after,
    int? connections, TextWriter log)
{
    public List<SuiteRow> Rows { get; } = [];

    /// <summary>Per target, per process: RSS (MB) before the first attack.</summary>
    public Dictionary<string, Dictionary<int, double>> RssAtStart { get; } = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var target in targets)
        {
            RssAtStart[target.Name] = Snapshot(target);
        }

        foreach (var attack in attacks)
        {
            foreach (var target in targets)
            {
                var row = await RunOneAsync(attack, target, cancellationToken).ConfigureAwait(false);
                Rows.Add(row);
                log.WriteLine(FormattableString.Invariant(
                    $"{attack.Name,-22} {target.Name,-12} answered: {row.Tally} | probe during {row.During} | after {row.After} | CPU {row.CpuPercent:0}% | RSS {row.RssBeforeMb:0} → {row.RssPeakMb:0} → {row.RssAfterMb:0} MB | ended {row.ProcessesEnded}"));
            }
        }
    }

    /// <summary>Per process RSS (MB) of a target now (pid → MB).</summary>
    public static Dictionary<int, double> Snapshot(Target target) =>
        target.RootPid == 0 ? [] : ProcessTree.Pids(target.RootPid).ToDictionary(p => p, p => ProcessTree.RssKilobytes(p) / 1024.0);

    private async Task<SuiteRow> RunOneAsync(Attack attack, Target target, CancellationToken cancellationToken)
    {
        var pidsBefore = target.RootPid == 0 ? [] : ProcessTree.Pids(target.RootPid);
        await using var probe = new Probe(target);
        probe.Start();
        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        var rssBefore = Rss(target);
        var peak = rssBefore;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(target));
                await Task.WhenAny(Task.Delay(200, sampling.Token)).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        var tally = new Tally();
        var settings = new AttackSettings(connections ?? attack.DefaultConnections, duration);
        var cpu0 = Cpu(target);
        var start = DateTime.UtcNow;
        var wall = Stopwatch.StartNew();
        await attack.Run(target, settings, tally, cancellationToken).ConfigureAwait(false);
        var attackSeconds = wall.Elapsed.TotalSeconds;
        var cpu1 = Cpu(target);
        var end = DateTime.UtcNow;
        await Task.Delay(after, cancellationToken).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var afterEnd = DateTime.UtcNow;

        double? perConnection = attack.Name.StartsWith("idle-", StringComparison.Ordinal) && tally.Connections > 0
            ? (peak - rssBefore) * 1024 / tally.Connections
            : null;
        return new SuiteRow(attack.Name, target.Name, tally, probe.Window(start, end), probe.Window(end, afterEnd),
            100 * (cpu1 - cpu0) / attackSeconds, rssBefore, peak, Rss(target),
            pidsBefore.Count(p => !Directory.Exists($"/proc/{p}")), perConnection);
    }

    private static double Rss(Target target) => target.RootPid == 0 ? 0 : ProcessTree.RssKilobytesOfTree(target.RootPid) / 1024.0;

    private static double Cpu(Target target) => target.RootPid == 0 ? 0 : ProcessTree.CpuSecondsOfTree(target.RootPid);

    /// <summary>The report's tables (Markdown).</summary>
    public string Markdown(IReadOnlyDictionary<string, Dictionary<int, double>>? recovered, TimeSpan recoveryWait)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        foreach (var attack in attacks)
        {
            text.AppendLine(inv, $"### {attack.Name}").AppendLine();
            text.AppendLine(inv, $"{attack.What}; {connections ?? attack.DefaultConnections} connection(s) at a time for {duration.TotalSeconds:0} s.").AppendLine();
            text.AppendLine("| server | what it answered (per connection) | conn. | probe during | probe after | CPU | RSS before → peak → after, MB | processes ended |");
            text.AppendLine("|---|---|---:|---|---|---:|---|---:|");
            foreach (var row in Rows.Where(r => r.Attack == attack.Name))
            {
                var rss = string.Create(inv, $"{row.RssBeforeMb:0} → {row.RssPeakMb:0} → {row.RssAfterMb:0}");
                if (row.KbPerConnection is { } kb)
                {
                    rss += string.Create(inv, $" ({kb:0} KB/conn.)");
                }

                text.AppendLine(inv, $"| {row.Target} | {Escape(row.Tally.ToString())}{CloseTimes(row.Tally)} | {row.Tally.Connections} | {row.During} | {row.After} | {row.CpuPercent:0}% | {rss} | {row.ProcessesEnded} |");
            }

            text.AppendLine();
        }

        if (recovered is not null)
        {
            text.AppendLine("### Memory after the suite").AppendLine();
            text.AppendLine(inv, $"RSS of every process (MB): before the first attack, and {recoveryWait.TotalSeconds:0} s after the last one. Processes that started during the suite (replacements) have no *before*.").AppendLine();
            text.AppendLine("| server | pid | before | after | × before |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var target in targets)
            {
                var before = RssAtStart[target.Name];
                foreach (var (pid, mb) in recovered[target.Name].OrderBy(p => p.Key))
                {
                    var had = before.TryGetValue(pid, out var b);
                    text.AppendLine(inv, $"| {target.Name} | {pid} | {(had ? b.ToString("0", inv) : "-")} | {mb:0} | {(had ? (mb / b).ToString("0.00", inv) : "-")} |");
                }
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static string CloseTimes(Tally tally)
    {
        if (tally.CloseSeconds.Count == 0)
        {
            return "";
        }

        var sorted = tally.CloseSeconds.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"; ended after {sorted[sorted.Count / 2]:0.0} s (median)");
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
