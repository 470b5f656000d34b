using System.CommandLine;
using Roost.Cli.Top;
using Roost.Control;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost top</c>: a live view of a running primary in the spirit of <c>pm2 monit</c> and <c>htop</c> (per worker
/// requests/s, latency, connections, CPU, memory, restarts, generation and state; totals; the last supervision events),
/// with keys to reload, scale by one and recycle the selected worker, each asking for confirmation. <c>--once</c>
/// prints one screen and exits, for scripts.
/// </summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var target = new ControlTarget();
        var once = new Option<bool>("--once") { Description = "Print one screen and exit (it waits 1 s after a first sample so rates and CPU % cover a second); for scripts." };
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between updates of the live view (0.5 to 60).",
            DefaultValueFactory = _ => 1,
        };
        interval.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (value is < 0.5 or > 60)
            {
                result.AddError($"--interval must be between 0.5 and 60 seconds; got {value}.");
            }
        });
        var command = new Command("top", "Live view of a running roost primary: per worker requests/s, latency, connections, CPU, memory, restarts, generation and state, the totals and the last supervision events. Keys: r reload, +/- scale, c recycle the selected worker (each asks for confirmation), q quit.")
        {
            once, interval,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var (client, exitCode) = target.Resolve(parse);
            if (client is null)
            {
                return Task.FromResult(exitCode);
            }

            var sampler = new TopSampler(client);
            return parse.GetValue(once)
                ? OnceAsync(sampler, cancellationToken)
                : new TopSession(sampler, TimeSpan.FromSeconds(parse.GetValue(interval))).RunAsync(cancellationToken);
        });
        return command;
    }

    private static async Task<int> OnceAsync(TopSampler sampler, CancellationToken cancellationToken)
    {
        ControlCall.WidenRedirectedOutput();
        try
        {
            // Two samples: the rates and CPU % need an interval.
            await sampler.SampleAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var frame = await sampler.SampleAsync(cancellationToken).ConfigureAwait(false);
            AnsiConsole.Write(TopView.Render(frame));
            return ExitCodes.Ok;
        }
        catch (ControlConnectException ex)
        {
            return Unreachable(ex);
        }
        catch (Exception ex) when (ex is ControlRefusedException or IOException or InvalidDataException)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.Error);
        }
    }

    /// <summary>Prints why the primary cannot be reached (as the other control commands do) and returns the exit code.</summary>
    internal static int Unreachable(ControlConnectException ex) => CommandErrors.Fail(ex.Message, ControlCall.ExitCode(ex.Failure));
}
