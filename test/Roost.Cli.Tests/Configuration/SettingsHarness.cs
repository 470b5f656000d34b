using System.CommandLine;
using System.Text;
using System.Text.Json;
using Roost.Cli.Configuration;
using Roost.Testing;

namespace Roost.Cli.Tests.Configuration;

/// <summary>Resolves settings the way roost does, with the variables, the working directory and the file a test gives.</summary>
internal sealed class SettingsHarness : IDisposable
{
    private readonly TempDirectory _directory = new("roost-config");

    public Dictionary<string, string> Variables { get; } = [];

    public string Directory => _directory.Path;

    public SettingsEnvironment Environment => new(name => Variables.GetValueOrDefault(name), () => _directory.Path);

    /// <summary>Writes <c>roost.json</c> in the working directory.</summary>
    public string WriteFile(string json) => _directory.Write(ConfigFile.DefaultFileName, json);

    /// <summary>Writes <c>roost.json</c> with one key.</summary>
    public string WriteFile(Setting setting, object? value) => WriteFile(Json(setting, value));

    /// <summary>Parses <paramref name="arguments"/> for <paramref name="scope"/> and resolves.</summary>
    public (ParseResult Parse, EffectiveSettings Settings) Resolve(SettingScope scope, params string[] arguments) => Resolve(scope, forUnit: false, arguments);

    /// <summary>Parses <paramref name="arguments"/> for <c>roost systemd-unit</c> <paramref name="scope"/> and resolves.</summary>
    public (ParseResult Parse, EffectiveSettings Settings) ResolveForUnit(SettingScope scope, params string[] arguments) => Resolve(scope, forUnit: true, arguments);

    private (ParseResult Parse, EffectiveSettings Settings) Resolve(SettingScope scope, bool forUnit, string[] arguments)
    {
        var binder = new SettingsBinder(scope, Environment, forUnit);
        var command = new Command(scope == SettingScope.Run ? "run" : "serve");
        binder.AddTo(command);
        var parse = command.Parse(arguments);
        return (parse, binder.Resolve(parse));
    }

    /// <summary>The command a setting is tested with (serve when it takes it).</summary>
    public static SettingScope CommandOf(Setting setting) => setting.AppliesTo(SettingScope.Serve) ? SettingScope.Serve : SettingScope.Run;

    /// <summary>The arguments every run of <paramref name="scope"/> needs (roost run's app), unless the app is what is tested.</summary>
    /// <summary>And what the tested setting <see cref="Setting.Requires"/>.</summary>
    public static string[] Required(SettingScope scope, Setting tested) =>
    [
        .. scope == SettingScope.Run && tested != RoostSettings.App ? new[] { "app.dll" } : [],
        .. tested.Requires is { } other ? other.ToArguments(other.SampleValues[0]) : Array.Empty<string>(),
    ];

    public static string Json(Setting setting, object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(setting.Key);
            setting.WriteJson(writer, value);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose() => _directory.Dispose();
}
