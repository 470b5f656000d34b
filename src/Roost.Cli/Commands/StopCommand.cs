using System.CommandLine;
using Roost.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary><c>roost stop</c>: a graceful stop of a running primary (like SIGTERM), waiting until it has exited.</summary>
internal static class StopCommand
{
    public static Command Create()
    {
        var target = new ControlTarget();
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds in-flight requests get to finish (default: the server's --shutdown-timeout); workers are killed 5 s after it.",
        };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && value is < 0 or > 86400)
            {
                result.AddError($"--timeout must be between 0 and 86400 seconds; got {value}.");
            }
        });
        var command = new Command("stop", "Stop a running primary gracefully: workers drain (HTTP/2 GOAWAY, Connection: close, in-flight requests finish), then it exits.")
        {
            timeout,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(target, parse, parse.GetValue(timeout), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ControlTarget target, ParseResult parse, double? timeout, CancellationToken cancellationToken)
    {
        var (client, exitCode) = target.Resolve(parse);
        if (client is null)
        {
            return exitCode;
        }

        var drainTimeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var (result, code) = await ControlCall.RunAsync(client, c => c.StopAsync(drainTimeout, ControlCall.PrintProgress, cancellationToken)).ConfigureAwait(false);
        switch (result)
        {
            case null:
                return code;
            case { Outcome: "exited" }:
                // The connection ended with the primary's exit before its last line arrived.
                Console.Out.WriteLine("The primary exited.");
                return ExitCodes.Ok;
            case { Succeeded: true }:
                AnsiConsole.MarkupLine("[green]Stopped[/]: every worker drained and the primary exited.");
                return ExitCodes.Ok;
            default:
                return CommandErrors.Fail($"The primary stopped with exit code {result.ExitCode}.", ExitCodes.Error);
        }
    }
}
