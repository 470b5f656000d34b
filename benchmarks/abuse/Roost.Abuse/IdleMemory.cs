using System.Globalization;

namespace Roost.Abuse;

/// <summary>
/// RSS per idle TLS connection and recovery: N connections opened (h1: ALPN http/1.1, no request; h2: preface +
/// SETTINGS), held, closed; every process's RSS before, while held, just after and <c>recovery</c> later.
/// </summary>
public static class IdleMemory
{
    public static async Task<int> RunAsync(IReadOnlyList<Target> targets, int connections, string alpn, TimeSpan hold, TimeSpan recovery, CancellationToken cancellationToken)
    {
        var attack = alpn == "h2" ? TlsAttacks.IdleH2 : TlsAttacks.IdleH1;
        var inv = CultureInfo.InvariantCulture;
        foreach (var target in targets)
        {
            var before = Suite.Snapshot(target);
            var tally = new Tally();
            Dictionary<int, double> held = [];
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // The attack holds every connection until its duration ends; the snapshot is taken just before that.
            var duration = hold + TimeSpan.FromSeconds(connections / 100.0 + 5);
            var run = attack.Run(target, new AttackSettings(connections, duration), tally, cancellationToken);
            await Task.Delay(duration - TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            held = Suite.Snapshot(target);
            var open = tally.Connections;
            await run.ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            var closed = Suite.Snapshot(target);
            await Task.Delay(recovery, cancellationToken).ConfigureAwait(false);
            var later = Suite.Snapshot(target);
            var sum = (Dictionary<int, double> d) => d.Values.Sum();
            Console.WriteLine(string.Create(inv,
                $"{target.Name} {alpn}: {open} connections opened ({tally}); tree RSS {sum(before):0} MB → {sum(held):0} MB held ({(sum(held) - sum(before)) * 1024 / Math.Max(1, open):0} KB/conn.) → {sum(closed):0} MB closed → {sum(later):0} MB {recovery.TotalSeconds:0} s later"));
            foreach (var pid in before.Keys.Union(held.Keys).Union(later.Keys).Order())
            {
                string Mb(Dictionary<int, double> d) => d.TryGetValue(pid, out var v) ? v.ToString("0.0", inv) : "-";
                Console.WriteLine($"  pid {pid}: {Mb(before)} → {Mb(held)} → {Mb(closed)} → {Mb(later)} MB");
            }
        }

        return 0;
    }
}
