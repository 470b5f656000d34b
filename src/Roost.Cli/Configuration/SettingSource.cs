namespace Roost.Cli.Configuration;

/// <summary>Where an effective value came from, in precedence order (the later kinds win).</summary>
internal enum SettingSourceKind
{
    /// <summary>The declared default.</summary>
    Default,

    /// <summary>The configuration file.</summary>
    File,

    /// <summary>An environment variable.</summary>
    Environment,

    /// <summary>A command-line option (or the argument).</summary>
    Option,
}

/// <summary>Where a value came from: the kind and its name (the file as given, the variable, the option).</summary>
internal sealed record SettingSource(SettingSourceKind Kind, string Name)
{
    public static SettingSource Default { get; } = new(SettingSourceKind.Default, string.Empty);

    /// <summary>Returns <c>default</c>, <c>file roost.json</c>, <c>environment ROOST_PORT</c> or <c>option --port</c> (<c>argument APP</c> for roost run's app).</summary>
    public override string ToString() => Kind switch
    {
        SettingSourceKind.File => $"file {Name}",
        SettingSourceKind.Environment => $"environment {Name}",
        SettingSourceKind.Option => Name.StartsWith('-') ? $"option {Name}" : $"argument {Name}",
        _ => "default",
    };
}
