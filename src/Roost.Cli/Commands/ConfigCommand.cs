using System.CommandLine;
using Roost.Cli.Configuration;
using Spectre.Console;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost config show serve|run [options]</c>: the effective settings and where each came from (passphrases
/// masked); <c>roost config schema</c>: the JSON schema of roost.json.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>What a secret's value is shown as.</summary>
    public const string Masked = "********";

    public static Command Create(SettingsEnvironment environment)
    {
        var show = new Command("show", "Print the settings serve or run would use and where each comes from (default, file, environment, option); passphrases are masked. Problems are printed after the table (exit 2).")
        {
            CreateShow(SettingScope.Serve, environment),
            CreateShow(SettingScope.Run, environment),
        };
        var schema = new Command("schema", "Print the JSON schema of roost.json (editors complete and check the file with it: \"$schema\": \"./roost.schema.json\").");
        schema.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(SettingsSchema.Write());
            return ExitCodes.Ok;
        });
        return new Command("config", "Inspect the configuration: the effective settings (show) and the schema of roost.json (schema).")
        {
            show, schema,
        };
    }

    private static Command CreateShow(SettingScope scope, SettingsEnvironment environment)
    {
        var name = scope == SettingScope.Run ? "run" : "serve";
        var command = new Command(name, $"The settings of 'roost {name}' with these options.");
        var settings = new SettingsBinder(scope, environment);

        // No validator: show what it can, then list the problems (the reason one runs config show).
        settings.AddTo(command, validate: false);
        command.SetAction(parse => Show(settings.Resolve(parse), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    internal static int Show(EffectiveSettings settings, TextWriter output, TextWriter error)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected)
        {
            // Paths and help do not fit Spectre's default of 80 columns for redirected output.
            console.Profile.Width = 240;
        }

        console.MarkupLine(settings.ConfigFile is null
            ? $"Configuration file: none (no --config, no ${SettingsEnvironment.ConfigVariable}, no ./{ConfigFile.DefaultFileName})"
            : $"Configuration file: {Markup.Escape(settings.ConfigFile)}");
        var table = new Table().AddColumns("setting", "value", "from");
        foreach (var value in settings.Values)
        {
            table.AddRow(Markup.Escape(value.Setting.Key), FormatValue(value), Markup.Escape(value.Source.ToString()));
        }

        console.Write(table);
        foreach (var problem in settings.Problems)
        {
            error.WriteLine($"error: {problem}");
        }

        return settings.Problems.Count == 0 ? ExitCodes.Ok : ExitCodes.InvalidUsage;
    }

    /// <summary>The value as shown: masked for secrets, the meaning of the default when there is no value.</summary>
    internal static string FormatValue(EffectiveValue value)
    {
        var text = value.Setting.Format(value.Value);
        if (text.Length == 0)
        {
            return $"[dim]({Markup.Escape(value.Setting.DefaultDescription ?? "none")})[/]";
        }

        return Markup.Escape(value.Setting.Secret ? Masked : value.Setting.Mask(text));
    }
}
