using System.Globalization;
using Roost.Abuse;

// The abuse suite's client. benchmarks/abuse/run.sh starts the servers and calls `suite`; README.md explains.
//   attack NAME --port P [--host 127.0.0.1] [--connections N] [--seconds S]     one attack, prints what came back
//   suite --target NAME=PORT[:PID] … [--attacks a,b] [--seconds S] [--after S] [--recovery S] [--out FILE]
//   idle --target NAME=PORT:PID --connections N --alpn h1|h2 [--hold S] [--recovery S]   RSS per idle connection
var inv = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Roost.Abuse attack|suite|idle … (see benchmarks/abuse/README.md); attacks: " + string.Join(", ", Attacks.All.Select(a => a.Name)));
    return 0;
}

var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
var first = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? 2 : 1;
for (var i = first; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"error: expected '--option value', got '{args[i]}'.");
        return 2;
    }

    if (!options.TryGetValue(args[i], out var values))
    {
        options[args[i]] = values = [];
    }

    values.Add(args[++i]);
}

string Option(string name, string fallback) => options.TryGetValue(name, out var v) ? v[^1] : fallback;
int Int(string name, int fallback) => int.Parse(Option(name, fallback.ToString(inv)), inv);
var host = Option("--host", "127.0.0.1");
var seconds = TimeSpan.FromSeconds(Int("--seconds", 8));
int? connections = options.ContainsKey("--connections") ? Int("--connections", 0) : null;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

List<Target> Targets()
{
    var list = new List<Target>();
    foreach (var spec in options.GetValueOrDefault("--target", []))
    {
        // NAME=PORT[:PID]
        var name = spec[..spec.IndexOf('=', StringComparison.Ordinal)];
        var parts = spec[(name.Length + 1)..].Split(':');
        list.Add(new Target(name, host, int.Parse(parts[0], inv), parts.Length > 1 ? int.Parse(parts[1], inv) : 0));
    }

    return list;
}

switch (args[0])
{
    case "attack":
        {
            var attack = Attacks.Find(args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : Option("--name", ""));
            if (attack is null)
            {
                Console.Error.WriteLine("error: unknown attack; one of: " + string.Join(", ", Attacks.All.Select(a => a.Name)));
                return 2;
            }

            var target = new Target("target", host, Int("--port", 8443));
            var tally = new Tally();
            await attack.Run(target, new AttackSettings(connections ?? attack.DefaultConnections, seconds), tally, cancel.Token);
            Console.WriteLine($"{attack.Name}: {tally.Connections} connections, {tally.Sent} sent; answered: {tally}");
            return 0;
        }

    case "suite":
        {
            var names = Option("--attacks", "");
            var attacks = names.Length == 0 ? Attacks.All : names.Split(',').Select(n => Attacks.Find(n) ?? throw new ArgumentException($"unknown attack '{n}'")).ToList();
            var targets = Targets();
            var suite = new Suite(targets, attacks, seconds, TimeSpan.FromSeconds(Int("--after", 3)), connections, Console.Out);
            await suite.RunAsync(cancel.Token);
            var recoveryWait = TimeSpan.FromSeconds(Int("--recovery", 60));
            Console.WriteLine($"waiting {recoveryWait.TotalSeconds:0} s for memory to settle");
            await Task.Delay(recoveryWait, cancel.Token);
            var recovered = targets.ToDictionary(t => t.Name, Suite.Snapshot);
            var markdown = suite.Markdown(recovered, recoveryWait);
            var output = Option("--out", "");
            if (output.Length > 0)
            {
                await File.WriteAllTextAsync(output, markdown);
            }
            else
            {
                Console.WriteLine(markdown);
            }

            return 0;
        }

    case "idle":
        return await IdleMemory.RunAsync(Targets(), connections ?? 2000, Option("--alpn", "h1"), TimeSpan.FromSeconds(Int("--hold", 5)),
            TimeSpan.FromSeconds(Int("--recovery", 60)), cancel.Token);

    default:
        Console.Error.WriteLine($"error: unknown command '{args[0]}'; use attack, suite or idle.");
        return 2;
}
