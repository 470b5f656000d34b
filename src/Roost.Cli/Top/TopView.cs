using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Roost.Cli.Top;

/// <summary>Draws a <see cref="TopFrame"/>: a header line, the workers table with totals, the last events and (live) the keys.</summary>
internal static class TopView
{
    /// <summary>How many recent events a screen lists.</summary>
    public const int EventLines = 8;

    /// <summary>The keys line of the live view.</summary>
    public const string Keys = "[bold]↑/↓[/] select  [bold]r[/] reload  [bold]+[/]/[bold]-[/] scale  [bold]c[/] recycle selected  [bold]q[/] quit";

    /// <summary>The screen; <paramref name="selected"/> is the highlighted worker id (live), <paramref name="footer"/> the keys or a question.</summary>
    public static IRenderable Render(TopFrame frame, int? selected = null, string? footer = null, string? message = null)
    {
        var operation = frame.Operation is null ? string.Empty : $", {frame.Operation} in progress";
        var header = new Markup(
            $"[bold]{Markup.Escape(frame.Name)}[/]: primary pid {frame.PrimaryPid}, {Markup.Escape(frame.State)}, generation {frame.Generation}, " +
            $"{frame.TargetWorkers} worker(s){Markup.Escape(operation)}, up {Uptime(frame.Total.UptimeSeconds)}");

        var table = new Table().Border(TableBorder.Rounded).AddColumns(
            "worker", "pid", "gen", "state", "req/s", "requests", "p50", "p99", "conns", "h1/h2", "cpu", "rss", "restarts", "uptime");
        foreach (var column in table.Columns.Skip(4))
        {
            column.RightAligned();
        }

        foreach (var row in frame.Workers)
        {
            var cells = Cells(row, row.Id.ToString(CultureInfo.InvariantCulture), row.Pid.ToString(CultureInfo.InvariantCulture));
            if (row.Id == selected)
            {
                cells[0] = $"[reverse]{cells[0]}[/]";
            }

            table.AddRow(cells);
        }

        var total = Cells(frame.Total, "[bold]total[/]", string.Empty);
        total[2] = string.Empty;
        total[3] = string.Empty;
        total[^2] = string.Empty;
        table.AddRow(total);

        var events = new Table().Border(TableBorder.None).HideHeaders().AddColumns("time", "level", "event");
        foreach (var e in frame.Events.TakeLast(EventLines))
        {
            var color = e.Level switch
            {
                "Warning" => "yellow",
                "Error" or "Critical" => "red",
                _ => "grey",
            };
            var level = e.Level switch
            {
                "Information" => "info",
                "Warning" => "warn",
                "Error" => "fail",
                _ => "crit",
            };
            events.AddRow($"[grey]{e.Time.ToLocalTime():HH:mm:ss}[/]", $"[{color}]{level}[/]", Markup.Escape(e.Message));
        }

        var parts = new List<IRenderable> { header, table, new Markup("[bold]Recent events[/]"), frame.Events.Count == 0 ? new Markup("[grey](none yet)[/]") : events };
        if (message is not null)
        {
            parts.Add(new Markup(message));
        }

        if (footer is not null)
        {
            parts.Add(new Markup(footer));
        }

        return new Rows(parts);
    }

    private static string[] Cells(TopRow row, string id, string pid) =>
    [
        id,
        pid,
        row.Generation.ToString(CultureInfo.InvariantCulture),
        Markup.Escape(row.State),
        row.RequestsPerSecond is { } rate ? rate.ToString("0.0", CultureInfo.InvariantCulture) : "-",
        row.Requests.ToString("N0", CultureInfo.InvariantCulture),
        Milliseconds(row.P50Milliseconds),
        Milliseconds(row.P99Milliseconds),
        row.ActiveConnections?.ToString(CultureInfo.InvariantCulture) ?? "-",
        row.Http1Share is { } h1 ? string.Create(CultureInfo.InvariantCulture, $"{h1 * 100:0}/{(1 - h1) * 100:0}%") : "-",
        row.CpuPercent is { } cpu ? cpu.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-",
        row.RssBytes is { } rss ? string.Create(CultureInfo.InvariantCulture, $"{rss / (1024.0 * 1024):0.0} MiB") : "-",
        row.Restarts.ToString(CultureInfo.InvariantCulture),
        Uptime(row.UptimeSeconds),
    ];

    private static string Milliseconds(double? value) => value is { } ms
        ? (ms < 10 ? ms.ToString("0.00", CultureInfo.InvariantCulture) : ms.ToString("0", CultureInfo.InvariantCulture)) + " ms"
        : "-";

    private static string Uptime(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0}s";
    }
}
