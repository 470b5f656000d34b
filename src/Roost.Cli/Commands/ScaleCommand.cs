using System.CommandLine;
using System.Globalization;
using Roost.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary><c>roost scale N|+N|-N</c>: change the number of workers of a running primary while it serves.</summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var target = new ControlTarget();
        var count = new Argument<string>("workers")
        {
            Description = "The worker count (1-1024), or +N / -N to add or remove workers. Scaling down drains the workers in the highest slots.",
        };
        count.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!TryParse(value, out var workers, out var delta))
            {
                result.AddError(ControlErrorMessages.ScaleArgumentInvalid(value));
            }
            else if (workers is { } n && n is < 1 or > ClusterOptions.MaxWorkers)
            {
                result.AddError(ControlErrorMessages.ScaleOutOfRange(n, ClusterOptions.MaxWorkers));
            }
            else if (delta == 0)
            {
                result.AddError(ControlErrorMessages.ScaleArgumentInvalid(value));
            }
        });
        var command = new Command("scale", "Change the number of workers of a running primary: new workers count once ready, removed ones drain (no request fails).")
        {
            count,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(target, parse, parse.GetValue(count)!, cancellationToken));
        return command;
    }

    internal static bool TryParse(string? value, out int? workers, out int? delta)
    {
        workers = null;
        delta = null;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value[0] is '+' or '-')
        {
            if (int.TryParse(value.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step <= ClusterOptions.MaxWorkers)
            {
                delta = value[0] == '-' ? -step : step;
                return true;
            }

            return false;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            workers = count;
            return true;
        }

        return false;
    }

    private static async Task<int> RunAsync(ControlTarget target, ParseResult parse, string value, CancellationToken cancellationToken)
    {
        var (client, exitCode) = target.Resolve(parse);
        if (client is null)
        {
            return exitCode;
        }

        TryParse(value, out var workers, out var delta);
        var (result, code) = await ControlCall.RunAsync(client, c => workers is { } count
            ? c.ScaleAsync(count, ControlCall.PrintProgress, cancellationToken)
            : c.ScaleByAsync(delta ?? 0, ControlCall.PrintProgress, cancellationToken)).ConfigureAwait(false);
        if (result is null)
        {
            return code;
        }

        switch (result.Outcome)
        {
            case "scaled":
                AnsiConsole.MarkupLineInterpolated($"[green]Scaled[/] from {result.Previous} to {result.Workers} worker(s).");
                return ExitCodes.Ok;
            case "unchanged":
                Console.Out.WriteLine($"Already {result.Workers} worker(s); nothing changed.");
                return ExitCodes.Ok;
            case "rejected":
                return CommandErrors.Fail(result.Message!, ExitCodes.InvalidUsage);
            case "busy":
                return CommandErrors.Fail(result.Message!, ExitCodes.Busy);
            default:
                return CommandErrors.Fail(result.Message ?? "The scale failed.", ExitCodes.OperationFailed);
        }
    }
}
