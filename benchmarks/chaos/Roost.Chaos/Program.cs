using System.Globalization;
using Roost.Chaos;

// benchmarks/chaos/run.sh runs this: one chaos run against roost serve; the report section goes to stdout and, with
// --out, is appended to that file.
var roost = "";
var duration = TimeSpan.FromMinutes(5);
var workers = 2;
var seed = 1;
string? output = null;
string? logFile = null;
var title = "roost serve";
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--roost": roost = Next(); break;
        case "--duration": duration = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--workers": workers = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--out": output = Next(); break;
        case "--title": title = Next(); break;
        case "--log": logFile = Next(); break;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: Roost.Chaos --roost <roost.dll|native roost> [--duration S] [--workers N] [--seed N] [--title T] [--out FILE] [--log FILE]");
            return 2;
    }
}

if (!File.Exists(roost))
{
    Console.Error.WriteLine($"error: --roost '{roost}' does not exist; give roost.dll (src/Roost.Cli/bin/Release/net10.0/roost.dll) or a native roost.");
    return 2;
}

var command = roost.EndsWith(".dll", StringComparison.Ordinal) ? ("dotnet", new[] { Path.GetFullPath(roost) }) : (Path.GetFullPath(roost), Array.Empty<string>());
var result = await ChaosResult.RunAsync(new ChaosRunOptions
{
    Roost = command,
    Workers = workers,
    Duration = duration,
    Seed = seed,
    Log = line => Console.WriteLine(line),
});
var section = result.ToMarkdown(title);
if (logFile is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
    File.WriteAllText(logFile, result.RoostOutput);
}

Console.WriteLine();
Console.WriteLine(section);
if (output is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    File.AppendAllText(output, section + Environment.NewLine);
}

// Exit 1 when the run broke a promise: an unaccounted failure, a refused or reset stream, a wrong worker count, an orphan.
var broken = result.Load.FailedUnaccounted > 0 || result.Load.Http2.RefusedCount > 0 || result.Load.ResetsByCode.Count > 0
    || result.FinalWorkers != result.ExpectedWorkers || result.Orphans.Count > 0 || result.Events.Any(e => !e.Ok);
return broken ? 1 : 0;
