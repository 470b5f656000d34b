using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;

namespace Roost.Cli.Configuration;

/// <summary>
/// One setting of <c>roost serve</c>/<c>roost run</c>, declared once (in <see cref="RoostSettings"/>): from it come the
/// command-line option, the environment variable (<c>ROOST_&lt;KEY&gt;</c>), the key of the configuration file, the
/// default, the help text, the check of its values and its part of the JSON schema.
/// </summary>
internal abstract class Setting
{
    /// <summary>The prefix of every setting's environment variable.</summary>
    public const string EnvironmentPrefix = "ROOST_";

    protected Setting(string key, SettingScope scope, string allowed, string description)
    {
        Key = key;
        Scope = scope;
        Allowed = allowed;
        Description = description;
    }

    /// <summary>Gets the key in the file, which is also the option's name without <c>--</c> (<c>shutdown-timeout</c>).</summary>
    public string Key { get; }

    /// <summary>Gets the commands that take the setting.</summary>
    public SettingScope Scope { get; }

    /// <summary>Gets what a valid value is, as the end of a sentence: "must be auto, 0 or 1..1024".</summary>
    public string Allowed { get; }

    /// <summary>Gets the help text.</summary>
    public string Description { get; }

    /// <summary>Gets a value indicating whether the value is a secret (masked by <c>config show</c>, never written to a unit).</summary>
    public bool Secret { get; init; }

    /// <summary>Gets how a formatted value is shown without its secret part (a password in a redis:// URL); identity by default.</summary>
    public Func<string, string> Mask { get; init; } = static text => text;

    /// <summary>Gets the setting this one only makes sense with (a jitter needs what it jitters); given without it is an error.</summary>
    public Setting? Requires { get; init; }

    /// <summary>
    /// Gets the message for this setting given without <see cref="Requires"/>, from where it was given (<c>--group</c>,
    /// <c>roost.json: group</c>) and its value as given; <see langword="null"/> for the generic one.
    /// </summary>
    public Func<string, string, string>? RequiresMessage { get; init; }

    /// <summary>Gets a value indicating whether <c>roost systemd-unit</c> accepts this setting without <see cref="Requires"/> (the unit gives that one a default).</summary>
    public bool RequiresNotInUnit { get; init; }

    /// <summary>Gets texts that are not allowed (for the message tests, which check every one in the file, the environment and on the command line).</summary>
    public IReadOnlyList<string> InvalidTexts { get; init; } = [];

    /// <summary>Gets the option's short aliases (<c>-p</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Gets older environment variable names still read (after <see cref="EnvironmentVariable"/>).</summary>
    public IReadOnlyList<string> EnvironmentAliases { get; init; } = [];

    /// <summary>Gets what the default means when there is no default value ("off", "the port").</summary>
    public string? DefaultDescription { get; init; }

    /// <summary>
    /// Gets the commands <see cref="DefaultValue"/> applies to (both by default). In the others the setting has no
    /// default: unless given it is not applied, and <see cref="DefaultDescription"/> says what applies then (--help shows
    /// no <c>[default: …]</c> there).
    /// </summary>
    public SettingScope DefaultScope { get; init; } = SettingScope.Both;

    /// <summary>Gets a value indicating whether the setting is the command's argument (<c>roost run APP</c>) rather than an option.</summary>
    public bool IsArgument { get; init; }

    /// <summary>Gets a value indicating whether the value holds file or folder paths (resolved against the file's folder when read from the file).</summary>
    public abstract bool HasPaths { get; }

    /// <summary>Gets the environment variable: <c>ROOST_</c> + the key in upper case with <c>_</c> for <c>-</c>.</summary>
    public string EnvironmentVariable => EnvironmentPrefix + Key.Replace('-', '_').ToUpperInvariant();

    /// <summary>Gets the option's name as shown to the user (the argument's name for <see cref="IsArgument"/>).</summary>
    public virtual string OptionName => IsArgument ? Key.ToUpperInvariant() : "--" + Key;

    /// <summary>Gets a value indicating whether the setting applies to <paramref name="scope"/>.</summary>
    public bool AppliesTo(SettingScope scope) => (Scope & scope) != 0;

    /// <summary>Gets the default (boxed; <see langword="null"/> when none).</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>Gets the default in <paramref name="command"/>: <see cref="DefaultValue"/>, or <see langword="null"/> outside <see cref="DefaultScope"/>.</summary>
    public object? DefaultIn(SettingScope command) => (DefaultScope & command) != 0 ? DefaultValue : null;

    /// <summary>Gets three valid values, each different from the one before it and the first different from the default: the precedence test sets them in the file, the environment and on the command line.</summary>
    public abstract IReadOnlyList<object?> SampleValues { get; }

    /// <summary>Creates the command-line symbols (options, or the argument) for <paramref name="command"/> (its default shown by --help).</summary>
    public abstract IReadOnlyList<Symbol> CreateSymbols(SettingScope command);

    /// <summary>Reads the value given on the command line, if any.</summary>
    /// <returns><see langword="true"/> when the user gave it; <paramref name="name"/> is the option as typed, <paramref name="problem"/> the message when the value is not allowed.</returns>
    public abstract bool TryGetExplicit(CommandResult result, IReadOnlyList<Symbol> symbols, out object? value, out string name, out string? problem);

    /// <summary>Parses and checks the text of an environment variable.</summary>
    public abstract bool TryParseText(string text, out object? value);

    /// <summary>Reads and checks a value of the file.</summary>
    public abstract bool TryReadJson(JsonElement element, out object? value);

    /// <summary>Makes the relative paths of a value from the file relative to the file's folder (no-op for other settings).</summary>
    public abstract object? ResolveRelative(object? value, string baseDirectory);

    /// <summary>Formats a value for people (<c>config show</c>): lists joined with <c>;</c>, empty for none.</summary>
    public abstract string Format(object? value);

    /// <summary>The command-line tokens that set <paramref name="value"/>.</summary>
    public abstract IEnumerable<string> ToArguments(object? value);

    /// <summary>Writes a value as JSON.</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, object? value);

    /// <summary>Writes the schema of the value (type and constraints).</summary>
    public abstract void WriteSchema(Utf8JsonWriter writer);
}
