using System.CommandLine;
using Roost.Cli.Configuration;

namespace Roost.Cli.Commands;

/// <summary><c>roost systemd-unit serve|run [options]</c>: prints a hardened systemd unit that runs that exact command (<see cref="SystemdUnit"/>).</summary>
internal static class SystemdUnitCommand
{
    public static Command Create(SettingsEnvironment environment) => new(
        "systemd-unit",
        "Print a hardened systemd unit (Type=notify, its own user, sandboxed, reload through 'roost reload --wait') that runs 'roost serve' or 'roost run' with the given options. Save it as /etc/systemd/system/roost-<name>.service.")
    {
        CreateFor(SettingScope.Serve, environment),
        CreateFor(SettingScope.Run, environment),
    };

    private static Command CreateFor(SettingScope scope, SettingsEnvironment environment)
    {
        var name = scope == SettingScope.Run ? "run" : "serve";
        // --user is the serve/run setting (one declaration): here it names the unit's User= (default: roost).
        var command = new Command(name, $"The unit for 'roost {name}' with these options (relative paths are made absolute); --user names the service's User= (default: {SystemdUnit.DefaultUser}), --group its Group=.");
        var settings = new SettingsBinder(scope, environment, forUnit: true);
        settings.AddTo(command);
        command.SetAction(parse =>
        {
            var warnings = new List<string>();
            var effective = settings.Resolve(parse);
            var unit = SystemdUnit.Write(effective, Executable(), effective.Get(RoostSettings.User) ?? SystemdUnit.DefaultUser, environment.GetCurrentDirectory(), warnings);
            parse.InvocationConfiguration.Output.Write(unit);
            foreach (var warning in warnings)
            {
                parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The command that runs this roost: the native binary, or the dotnet host and roost.dll (as workers are started).</summary>
    internal static IReadOnlyList<string> Executable()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of the running roost is unknown; cannot write ExecStart.");
        var args = Environment.GetCommandLineArgs();
        return string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase) && args.Length > 0
            ? [processPath, Path.GetFullPath(args[0])]
            : [processPath];
    }
}
