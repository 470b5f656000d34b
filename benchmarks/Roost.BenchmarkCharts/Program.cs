// Renders the load benchmark's charts from the CSV files benchmarks/load/run.sh writes into a results folder:
//   summary.csv  → <scenario>.svg: median req/s per contender (bar) with the rounds' min–max (whisker);
//                  <scenario>-per-cpu.svg: requests per server CPU-second;
//                  latency.svg: p50 and p99 per contender at the fixed rate
//   memory.csv   → memory.svg: RSS of all of a contender's processes, idle and after the load
// Usage: dotnet Roost.BenchmarkCharts.dll <results-folder> [--png]   (--png: a PNG next to each SVG as well)
// Roost's contenders are orange, the anchors (raw Kestrel one-write, nginx, the seed's Node programs) blue-grey,
// the rest light grey.
using System.Globalization;
using ScottPlot;

if (args.Length is < 1 or > 2 || !Directory.Exists(args[0]) || (args.Length == 2 && args[1] != "--png"))
{
    Console.Error.WriteLine($"usage: Roost.BenchmarkCharts <results-folder> [--png]; got '{string.Join(' ', args)}' (the folder must exist and hold summary.csv and memory.csv).");
    return 2;
}

var folder = args[0];
Charts.Png = args.Length == 2;
var summaryPath = Path.Combine(folder, "summary.csv");
var memoryPath = Path.Combine(folder, "memory.csv");
foreach (var path in new[] { summaryPath, memoryPath })
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"error: '{path}' is missing; run benchmarks/load/run.sh first (it writes it).");
        return 1;
    }
}

var summary = Csv.Read(summaryPath);
var written = new List<string>();
foreach (var scenario in summary.Select(row => row["scenario"]).Distinct())
{
    var rows = summary.Where(row => row["scenario"] == scenario).ToList();
    var file = Path.Combine(folder, scenario + ".svg");
    if (scenario == "latency")
    {
        Charts.Grouped(
            file,
            "latency at a fixed rate (lower is better)",
            "ms",
            rows.Select(row => row["contender"]).ToList(),
            [("p50", rows.Select(row => Csv.Number(row["p50_ms"])).ToList()), ("p99", rows.Select(row => Csv.Number(row["p99_ms"])).ToList())]);
    }
    else
    {
        Charts.Throughput(
            file,
            scenario == "handshake" ? "handshake: new full TLS handshakes per second (higher is better)" : $"{scenario}: requests per second (higher is better)",
            scenario == "handshake" ? "handshakes/s (median, min–max)" : "req/s (median, min–max)",
            rows,
            "median_rps");
    }

    written.Add(file);

    // Cost: requests (handshakes) per second of server CPU time, all of the contender's processes.
    var perCpuFile = Path.Combine(folder, scenario + "-per-cpu.svg");
    Charts.Throughput(
        perCpuFile,
        $"{scenario}: {(scenario == "handshake" ? "handshakes" : "requests")} per server CPU-second (higher is better)",
        "per CPU-s (median of the rounds; all processes)",
        rows,
        "requests_per_cpu_s");
    written.Add(perCpuFile);
}

var memory = Csv.Read(memoryPath);
var memoryFile = Path.Combine(folder, "memory.svg");
Charts.Grouped(
    memoryFile,
    "RSS of all processes of each contender (lower is better)",
    "MB",
    memory.Select(row => row["contender"]).ToList(),
    [("idle", memory.Select(row => Csv.Number(row["total_idle_mb"])).ToList()), ("after load", memory.Select(row => Csv.Number(row["total_after_mb"])).ToList())]);
written.Add(memoryFile);

foreach (var file in written)
{
    Console.WriteLine($"wrote {file}");
}

return 0;

internal static class Csv
{
    /// <summary>Reads a comma-separated file with a header line (no quoting: run.sh writes none).</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToArray();
        var header = lines[0].Split(',');
        return lines.Skip(1)
            .Select(line => line.Split(','))
            .Select(cells => header.Select((name, i) => (name, value: i < cells.Length ? cells[i] : "-")).ToDictionary(p => p.name, p => p.value))
            .ToList();
    }

    /// <summary>A number, or NaN for "-" / empty (a measurement that did not happen).</summary>
    public static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
}

internal static class Charts
{
    /// <summary>Also write a PNG next to each SVG.</summary>
    public static bool Png { get; set; }

    private static readonly Color Roost = Color.FromHex("#E07B00");
    private static readonly Color Anchor = Color.FromHex("#4A6A8A");
    private static readonly Color Other = Color.FromHex("#B0B0B0");

    private static Color ColorOf(string contender) => contender switch
    {
        "facade" or "roost-serve" or "roost-serve-aot" or "roost-run" => Roost,
        _ when contender.StartsWith("cluster-", StringComparison.Ordinal) => Roost,
        "raw-one-write" or "nginx" => Anchor,
        _ when contender.StartsWith("node-", StringComparison.Ordinal) => Anchor,
        _ => Other,
    };

    /// <summary>Horizontal bars: median per contender, a whisker from min to max, the median written at the bar's end.</summary>
    public static void Throughput(string file, string title, string axis, List<Dictionary<string, string>> rows, string column)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var positions = new List<double>();
        var labels = new List<string>();
        var whiskers = new List<(double Min, double Max, double Position)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var position = rows.Count - 1 - i; // first row on top
            var median = Csv.Number(rows[i][column]);
            var min = column == "median_rps" ? Csv.Number(rows[i]["min_rps"]) : double.NaN;
            var max = column == "median_rps" ? Csv.Number(rows[i]["max_rps"]) : double.NaN;
            if (double.IsNaN(median))
            {
                continue;
            }

            bars.Add(new Bar
            {
                Position = position,
                Value = median,
                FillColor = ColorOf(rows[i]["contender"]),
                Label = median.ToString("N0", CultureInfo.InvariantCulture),
            });
            if (!double.IsNaN(min) && !double.IsNaN(max))
            {
                whiskers.Add((min, max, position));
            }

            positions.Add(position);
            labels.Add(rows[i]["contender"]);
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 11;
        foreach (var (min, max, position) in whiskers)
        {
            // Drawn over the lower part of the bar (the median's label sits at its middle): the range of the rounds.
            var whisker = plot.Add.Line(min, position - 0.2, max, position - 0.2);
            whisker.Color = Colors.Black;
            whisker.LineWidth = 2f;
        }

        Finish(plot, file, title, axis, positions, labels, rows.Count);
    }

    /// <summary>Horizontal bars, one group per contender, one bar per series (NaN values are left out).</summary>
    public static void Grouped(string file, string title, string axis, List<string> contenders, List<(string Name, List<double> Values)> series)
    {
        var plot = new Plot();
        var palette = new[] { Color.FromHex("#7FA7D0"), Color.FromHex("#1F4E79") };
        var size = 0.8 / series.Count;
        for (var s = 0; s < series.Count; s++)
        {
            var bars = new List<Bar>();
            for (var i = 0; i < contenders.Count; i++)
            {
                var value = series[s].Values[i];
                if (double.IsNaN(value))
                {
                    continue;
                }

                bars.Add(new Bar
                {
                    Position = contenders.Count - 1 - i + ((s - ((series.Count - 1) / 2.0)) * size),
                    Value = value,
                    Size = size * 0.95,
                    FillColor = palette[s % palette.Length],
                    Label = value.ToString(value < 10 ? "0.00" : "N0", CultureInfo.InvariantCulture),
                });
            }

            var barPlot = plot.Add.Bars(bars);
            barPlot.Horizontal = true;
            barPlot.LegendText = series[s].Name;
            barPlot.ValueLabelStyle.FontSize = 10;
        }

        plot.ShowLegend(Alignment.LowerRight);
        var positions = Enumerable.Range(0, contenders.Count).Select(i => (double)(contenders.Count - 1 - i)).ToList();
        Finish(plot, file, title, axis, positions, contenders, contenders.Count);
    }

    private static void Finish(Plot plot, string file, string title, string axis, List<double> positions, List<string> labels, int count)
    {
        plot.Axes.Left.SetTicks([.. positions], [.. labels]);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Margins(left: 0, right: 0.18, bottom: 0.04, top: 0.04);
        plot.Title(title, 14);
        plot.XLabel(axis);
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        plot.SaveSvg(file, 900, 120 + (count * 34));
        if (Png)
        {
            plot.SavePng(Path.ChangeExtension(file, ".png"), 900, 120 + (count * 34));
        }
    }
}
