using System.CommandLine;
using Roost.Control;

namespace Roost.Cli.Commands;

/// <summary>
/// Which running primary a control command talks to: <c>--run-dir</c> (the instance directory itself), else
/// <c>--name</c> under the base run directory, else the only instance running there.
/// </summary>
internal sealed class ControlTarget
{
    private readonly Option<string?> _name = new("--name", "-n")
    {
        Description = "Instance name (roost serve --name; default there: the port). Without it, the only running instance is used.",
    };

    private readonly Option<string?> _runDirectory = new("--run-dir")
    {
        Description = "The instance's run directory (holds control.sock), for a server started with --run-dir.",
    };

    public ControlTarget()
    {
        _name.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is not null && !ControlClient.IsValidName(value))
            {
                result.AddError(ControlErrorMessages.NameInvalid(value));
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_name);
        command.Options.Add(_runDirectory);
    }

    /// <summary>Returns the client of the chosen primary, or prints why none was chosen and returns the exit code.</summary>
    public (ControlClient? Client, int ExitCode) Resolve(ParseResult parse)
    {
        var runDirectory = parse.GetValue(_runDirectory);
        var name = parse.GetValue(_name);
        if (runDirectory is { Length: > 0 })
        {
            return (new ControlClient(runDirectory), ExitCodes.Ok);
        }

        if (name is not null)
        {
            return (ControlClient.ForInstance(name), ExitCodes.Ok);
        }

        try
        {
            return (ControlClient.ForOnlyInstance(), ExitCodes.Ok);
        }
        catch (ControlConnectException ex)
        {
            return (null, CommandErrors.Fail(ex.Message, ControlCall.ExitCode(ex.Failure)));
        }
    }

    /// <summary>
    /// Picks the only live instance under <paramref name="baseDirectory"/>. A stale socket (its primary exited without
    /// removing it: connecting is refused) is not a running primary — <c>status --list</c> shows it as stale — so it
    /// neither counts towards "several" nor is chosen (issue 13, item 7).
    /// </summary>
    internal static (string? Directory, string? Error, int ExitCode) Choose(string baseDirectory)
    {
        try
        {
            return (ControlClient.ForOnlyInstance(baseDirectory).InstanceDirectory, null, ExitCodes.Ok);
        }
        catch (ControlConnectException ex)
        {
            return (null, ex.Message, ControlCall.ExitCode(ex.Failure));
        }
    }
}
