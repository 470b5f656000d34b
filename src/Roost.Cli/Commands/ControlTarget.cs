using System.CommandLine;
using Roost.Internal;
using Roost.Internal.Control;

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
            if (value is not null && !RunDirectory.IsValidName(value))
            {
                result.AddError(ClusterErrorMessages.NameInvalid(value));
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_name);
        command.Options.Add(_runDirectory);
    }

    /// <summary>Returns the instance directory, or an error message and exit code.</summary>
    public (string? Directory, string? Error, int ExitCode) Resolve(ParseResult parse)
    {
        var runDirectory = parse.GetValue(_runDirectory);
        var name = parse.GetValue(_name);
        if (runDirectory is not null || name is not null)
        {
            return (RunDirectory.Resolve(name, runDirectory), null, ExitCodes.Ok);
        }

        return Choose(RunDirectory.BaseDirectory);
    }

    /// <summary>
    /// Picks the only live instance under <paramref name="baseDirectory"/>. A stale socket (its primary exited without
    /// removing it: connecting is refused) is not a running primary — <c>status --list</c> shows it as stale — so it
    /// neither counts towards "several" nor is chosen (issue 13, item 7).
    /// </summary>
    internal static (string? Directory, string? Error, int ExitCode) Choose(string baseDirectory)
    {
        var instances = RunDirectory.ListInstances(baseDirectory);
        var live = instances.Where(d => !ControlClient.IsStale(d)).ToList();
        if (live.Count == 0 && instances.Count > 0)
        {
            return (null, ClusterErrorMessages.OnlyStaleInstances(baseDirectory, Names(instances)), ExitCodes.NotRunning);
        }

        return live.Count switch
        {
            0 => (null, ClusterErrorMessages.NoInstances(baseDirectory), ExitCodes.NotRunning),
            1 => (live[0], null, ExitCodes.Ok),
            _ => (null, ClusterErrorMessages.SeveralInstances(baseDirectory, Names(live)), ExitCodes.InvalidUsage),
        };
    }

    private static IEnumerable<string> Names(IEnumerable<string> directories) => directories.Select(Path.GetFileName).OfType<string>();
}
