using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Roost.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary><c>roost status</c>: the workers of a running primary (table, or <c>--json</c>); <c>--list</c> lists instances.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var target = new ControlTarget();
        var json = new Option<bool>("--json") { Description = "Print JSON (schema in docs/cli.md) instead of a table." };
        var list = new Option<bool>("--list") { Description = "List the instances in the run directory and whether each answers." };
        var command = new Command("status", "Show the workers (and hot spares) of a running roost primary: id, pid, generation, state, uptime, requests, memory, restarts.")
        {
            json, list,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => parse.GetValue(list)
            ? ListAsync(parse.GetValue(json), cancellationToken)
            : RunAsync(target, parse, parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ControlTarget target, ParseResult parse, bool json, CancellationToken cancellationToken)
    {
        var (client, exitCode) = target.Resolve(parse);
        if (client is null)
        {
            return exitCode;
        }

        var (status, code) = await ControlCall.RunAsync(client, c => c.GetStatusAsync(cancellationToken)).ConfigureAwait(false);
        if (status is null)
        {
            return code;
        }

        if (json)
        {
            Console.Out.WriteLine(status.ToJson());
            return ExitCodes.Ok;
        }

        PrintTable(status);
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(bool json, CancellationToken cancellationToken)
    {
        ControlCall.WidenRedirectedOutput();
        var baseDirectory = ControlClient.DefaultBaseDirectory;
        var rows = await ControlClient.ListInstancesAsync(baseDirectory, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            using var stream = Console.OpenStandardOutput();
            using var writer = new Utf8JsonWriter(stream);
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("name", row.Name);
                writer.WriteString("runDirectory", row.Directory);
                writer.WriteString("state", row.State);
                if (row.Pid is { } pid)
                {
                    writer.WriteNumber("pid", pid);
                }

                writer.WriteNumber("workers", row.Workers);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            return ExitCodes.Ok;
        }

        if (rows.Count == 0)
        {
            Console.Out.WriteLine($"No instances under '{baseDirectory}'.");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("name", "state", "pid", "workers", "run directory");
        foreach (var row in rows)
        {
            table.AddRow(Markup.Escape(row.Name), row.State, row.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-", row.Workers.ToString(CultureInfo.InvariantCulture), Markup.Escape(row.Directory));
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    private static void PrintTable(ClusterStatus status)
    {
        var operation = status.Operation is null ? string.Empty : $", {status.Operation} in progress";
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{status.Name}[/]: primary pid {status.Pid}, {status.State}, generation {status.Generation}, {status.TargetWorkers} worker(s){operation}");
        var table = new Table().AddColumns("worker", "slot", "pid", "generation", "state", "uptime", "requests", "rss", "restarts");
        foreach (var worker in status.Workers)
        {
            table.AddRow(
                worker.Id.ToString(CultureInfo.InvariantCulture),
                worker.Slot?.ToString(CultureInfo.InvariantCulture) ?? "-",
                worker.Pid.ToString(CultureInfo.InvariantCulture),
                worker.Generation.ToString(CultureInfo.InvariantCulture),
                worker.State,
                FormatUptime(worker.UptimeSeconds),
                worker.Requests.ToString("N0", CultureInfo.InvariantCulture),
                worker.RssBytes is { } rss ? $"{rss / (1024.0 * 1024):0.0} MiB" : "-",
                worker.Restarts.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }

    private static string FormatUptime(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0.0}s";
    }
}
