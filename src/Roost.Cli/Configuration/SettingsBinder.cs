using System.CommandLine;
using System.CommandLine.Parsing;

namespace Roost.Cli.Configuration;

/// <summary>
/// Puts the settings of one command on a <see cref="Command"/> (an option each, <c>--config</c>, and a validator) and
/// resolves them: option &gt; environment (<c>ROOST_&lt;KEY&gt;</c>) &gt; file (<c>--config</c>, <c>ROOST_CONFIG</c> or
/// <c>./roost.json</c>) &gt; default. Every problem of every source is reported at once as a parse error, so nothing
/// starts with a bad setting.
/// </summary>
internal sealed class SettingsBinder
{
    private readonly Dictionary<Setting, IReadOnlyList<Symbol>> _symbols = [];
    private readonly SettingsEnvironment _environment;

    /// <param name="command">The command whose settings these are.</param>
    /// <param name="environment">The variables and the working folder.</param>
    /// <param name="forUnit">Whether the settings are for <c>roost systemd-unit</c>, which gives some settings a default of its own (User=roost).</param>
    public SettingsBinder(SettingScope command, SettingsEnvironment environment, bool forUnit = false)
    {
        Command = command;
        ForUnit = forUnit;
        _environment = environment;
        foreach (var setting in RoostSettings.For(command))
        {
            _symbols[setting] = setting.CreateSymbols(command);
        }
    }

    /// <summary>The sentence the help of serve and run end with.</summary>
    public const string HelpText = "Every option can also be set in a JSON file (--config, or ./roost.json; the key is the option's name without '--') or as an environment variable ROOST_<NAME> (ROOST_SHUTDOWN_TIMEOUT); 'roost config show' prints the result.";

    /// <summary>Gets the command whose settings these are.</summary>
    public SettingScope Command { get; }

    /// <summary>Gets a value indicating whether the settings are for <c>roost systemd-unit</c>.</summary>
    public bool ForUnit { get; }

    /// <summary>Gets the <c>--config</c> option.</summary>
    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = $"Read settings from this JSON file (comments allowed; keys are the options' names without '--'). Default: ./{ConfigFile.DefaultFileName} when present, or ${SettingsEnvironment.ConfigVariable}. Precedence: option > environment (ROOST_<NAME>) > file > default.",
    };

    /// <summary>Adds the options, the argument (roost run's app) and, when <paramref name="validate"/>, the validator that reports every problem as a parse error.</summary>
    public void AddTo(Command command, bool validate = true)
    {
        foreach (var symbol in _symbols.Values.SelectMany(s => s))
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.Options.Add(Config);
        if (!validate)
        {
            return;
        }

        command.Validators.Add(result =>
        {
            foreach (var problem in Resolve(result).Problems)
            {
                result.AddError(problem);
            }
        });
    }

    /// <summary>Resolves every setting of the command.</summary>
    public EffectiveSettings Resolve(ParseResult parse) => Resolve(parse.CommandResult);

    /// <summary>Resolves every setting of the command.</summary>
    public EffectiveSettings Resolve(CommandResult result)
    {
        var problems = new List<string>();
        using var file = LoadFile(result, problems);
        var values = new List<EffectiveValue>();
        foreach (var (setting, symbols) in _symbols)
        {
            values.Add(ResolveOne(setting, symbols, result, file, problems));
        }

        var effective = new EffectiveSettings(Command, values, problems, file?.DisplayPath, file?.FullPath);
        CheckTogether(effective, problems);
        return effective;
    }

    private EffectiveValue ResolveOne(Setting setting, IReadOnlyList<Symbol> symbols, CommandResult result, ConfigFile? file, List<string> problems)
    {
        // Precedence, lowest first: each source that has a (valid) value replaces the one before.
        var resolved = new EffectiveValue(setting, setting.DefaultIn(Command), SettingSource.Default);
        if (file is not null && file.Values.TryGetValue(setting.Key, out var element))
        {
            if (setting.TryReadJson(element, out var value))
            {
                resolved = resolved with { Value = setting.ResolveRelative(value, file.Directory), Source = new SettingSource(SettingSourceKind.File, file.DisplayPath) };
            }
            else
            {
                problems.Add($"{file.DisplayPath}: {setting.Key}: {setting.Allowed}; got {element.GetRawText()}.");
            }
        }

        foreach (var variable in (IEnumerable<string>)[setting.EnvironmentVariable, .. setting.EnvironmentAliases])
        {
            if (_environment.GetVariable(variable) is not { } text)
            {
                continue;
            }

            if (setting.TryParseText(text, out var value))
            {
                resolved = resolved with { Value = value, Source = new SettingSource(SettingSourceKind.Environment, variable) };
            }
            else
            {
                problems.Add($"{variable}: {setting.Allowed}; got '{(setting.Secret ? "***" : text)}'.");
            }

            // The first variable set wins (ROOST_PASSPHRASE before the older ROOST_TLS_PASSPHRASE).
            break;
        }

        if (setting.TryGetExplicit(result, symbols, out var given, out var name, out var problem))
        {
            if (problem is not null)
            {
                problems.Add(problem);
            }
            else
            {
                resolved = resolved with { Value = given, Source = new SettingSource(SettingSourceKind.Option, name) };
            }
        }

        return resolved;
    }

    private ConfigFile? LoadFile(CommandResult result, List<string> problems)
    {
        var directory = _environment.GetCurrentDirectory();
        if (result.GetResult(Config) is { Implicit: false } && result.GetValue(Config) is { } given)
        {
            return ConfigFile.Load(given, Path.GetFullPath(given, directory), "option --config", Command, problems);
        }

        if (_environment.GetVariable(SettingsEnvironment.ConfigVariable) is { Length: > 0 } variable)
        {
            return ConfigFile.Load(variable, Path.GetFullPath(variable, directory), $"environment {SettingsEnvironment.ConfigVariable}", Command, problems);
        }

        var implicitPath = Path.Combine(directory, ConfigFile.DefaultFileName);
        return File.Exists(implicitPath) ? ConfigFile.Load(ConfigFile.DefaultFileName, implicitPath, "the working directory", Command, problems) : null;
    }

    /// <summary>Rules between settings: roost run needs its app; a setting that <see cref="Setting.Requires"/> another needs it set.</summary>
    private void CheckTogether(EffectiveSettings settings, List<string> problems)
    {
        if (settings.Command == SettingScope.Run && settings.ValueOf(RoostSettings.App) is null)
        {
            problems.Add($"roost run needs the app (its .dll, publish folder or project folder): give it as the argument (roost run ./publish), as \"{RoostSettings.App.Key}\" in the configuration file, or as {RoostSettings.App.EnvironmentVariable}.");
        }

        foreach (var value in settings.Values)
        {
            if (value.Setting.Requires is { } other && !(ForUnit && value.Setting.RequiresNotInUnit))
            {
                NeedsOther(settings, value.Setting, other, problems);
            }
        }
    }

    private static void NeedsOther(EffectiveSettings settings, Setting setting, Setting other, List<string> problems)
    {
        var source = settings.SourceOf(setting);
        if (source.Kind == SettingSourceKind.Default || settings.ValueOf(other) is not null)
        {
            return;
        }

        if (setting.RequiresMessage is { } message)
        {
            problems.Add(message(Where(source, setting), setting.Format(settings.ValueOf(setting))));
            return;
        }

        problems.Add(source.Kind == SettingSourceKind.Option
            ? ErrorMessages.FlagNeedsOther(setting.OptionName, other.OptionName)
            : $"{Where(source, setting)}: only applies together with {other.Key}; set {other.Key} too, or remove {setting.Key}.");
    }

    /// <summary>How messages name a setting from <paramref name="source"/>: <c>roost.json: workers</c>, <c>ROOST_WORKERS</c>, <c>--workers</c>.</summary>
    internal static string Where(SettingSource source, Setting setting) => source.Kind switch
    {
        SettingSourceKind.File => $"{source.Name}: {setting.Key}",
        SettingSourceKind.Environment or SettingSourceKind.Option => source.Name,
        _ => setting.Key,
    };
}
