using System.CommandLine;
using Roost.Cli.Configuration;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost run &lt;app&gt;</c>: an unmodified ASP.NET Core app on every core, over HTTPS with h2 + HTTP/1.1, with
/// respawn, rolling reload (SIGHUP picks up a newly published build) and optional shared state (docs/run.md).
/// </summary>
internal static class RunCommand
{
    public static Command Create(SettingsEnvironment environment)
    {
        var settings = new SettingsBinder(SettingScope.Run, environment);
        var command = new Command("run", "Run an unmodified ASP.NET Core app on every core: HTTPS with HTTP/2 and HTTP/1.1 on one port, workers respawned, SIGHUP = rolling reload onto the build on disk. Without --cert/--pfx a local development chain is used. " + SettingsBinder.HelpText);
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunCluster.RunAsync(FromSettings(settings.Resolve(parse)), cancellationToken));
        return command;
    }

    /// <summary>The settings of <c>roost run</c> from the effective settings (the app is there: the binder reports a missing one).</summary>
    internal static RunSettings FromSettings(EffectiveSettings settings) => new(
        settings.Get(RoostSettings.App)!,
        ServeCommand.FromSettings(settings) with { Workers = Math.Max(1, ServeAndRun.ResolveWorkers(settings.Get(RoostSettings.Workers)!)), HotSpare = false },
        settings.Get(RoostSettings.State),
        TimeSpan.FromSeconds(settings.Get(RoostSettings.BootTimeout)));
}

/// <summary>The parsed settings of <c>roost run</c>: the app as given, the serving settings shared with <c>serve</c>, the --state value.</summary>
internal sealed record RunSettings(string App, ServeSettings Serve, string? State, TimeSpan BootTimeout);
