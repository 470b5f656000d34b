namespace Roost.Cli.Configuration;

/// <summary>One setting's effective value and where it came from.</summary>
internal sealed record EffectiveValue(Setting Setting, object? Value, SettingSource Source);

/// <summary>The settings of one command after option &gt; environment &gt; file &gt; default, with every problem found.</summary>
internal sealed class EffectiveSettings
{
    private readonly Dictionary<Setting, EffectiveValue> _values;

    public EffectiveSettings(SettingScope command, IEnumerable<EffectiveValue> values, IReadOnlyList<string> problems, string? configFile, string? configFileFullPath)
    {
        Command = command;
        _values = values.ToDictionary(v => v.Setting);
        Problems = problems;
        ConfigFile = configFile;
        ConfigFileFullPath = configFileFullPath;
    }

    /// <summary>Gets the command the settings are for.</summary>
    public SettingScope Command { get; }

    /// <summary>Gets every problem (empty when the settings can be used).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Gets the configuration file read, as given (<see langword="null"/>: none).</summary>
    public string? ConfigFile { get; }

    /// <summary>Gets the configuration file's absolute path.</summary>
    public string? ConfigFileFullPath { get; }

    /// <summary>Gets the values in <see cref="RoostSettings.All"/>'s order.</summary>
    public IEnumerable<EffectiveValue> Values => RoostSettings.All.Where(_values.ContainsKey).Select(s => _values[s]);

    /// <summary>Gets a setting's value.</summary>
    public T Get<T>(Setting<T> setting) => (T)_values[setting].Value!;

    /// <summary>Gets a setting's value, boxed.</summary>
    public object? ValueOf(Setting setting) => _values[setting].Value;

    /// <summary>Gets where a setting's value came from.</summary>
    public SettingSource SourceOf(Setting setting) => _values[setting].Source;
}
