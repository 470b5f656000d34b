using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;

namespace Roost.Cli.Configuration;

/// <summary>A setting whose option is an <see cref="Option{T}"/>.</summary>
/// <typeparam name="T">The option's value type.</typeparam>
internal class Setting<T> : Setting
{
    public Setting(string key, SettingScope scope, SettingType<T> type, string allowed, string description)
        : base(key, scope, allowed, description)
    {
        Type = type;
    }

    /// <summary>Gets how values are read and written.</summary>
    public SettingType<T> Type { get; }

    /// <summary>Gets the default.</summary>
    public T Default { get; init; } = default!;

    /// <summary>Gets the check of a (non-null) value; a choice accepts its words.</summary>
    public Func<T, bool>? IsValid { get; init; }

    /// <summary>Gets the message for a bad option value (the value as typed), when the option had one before the settings table.</summary>
    public Func<string, string>? OptionMessage { get; init; }

    /// <summary>Gets how relative paths of a value from the file are resolved against the file's folder.</summary>
    public Func<T, string, T>? RelativeTo { get; init; }

    /// <summary>Gets the value's name in --help (<c>--x &lt;count&gt;</c>); the key when not set.</summary>
    public string? HelpName { get; init; }

    /// <summary>Gets three valid values for the precedence test (see <see cref="Setting.SampleValues"/>).</summary>
    public required IReadOnlyList<T> Samples { get; init; }

    public override object? DefaultValue => Default;

    public override bool HasPaths => RelativeTo is not null;

    public override IReadOnlyList<object?> SampleValues => [.. Samples.Select(s => (object?)s)];

    /// <summary>Returns whether <paramref name="value"/> is allowed.</summary>
    public bool Accepts(T value) => value is null || ((IsValid ?? (_ => true))(value) && (Type is not ChoiceType choice || choice.Values.Contains(value as string, StringComparer.OrdinalIgnoreCase)));

    public override IReadOnlyList<Symbol> CreateSymbols(SettingScope command)
    {
        if (IsArgument)
        {
            return [new Argument<T>(Key) { Description = Description, Arity = ArgumentArity.ZeroOrOne }];
        }

        var option = new Option<T>(OptionName, [.. Aliases]) { Description = Description };
        if (HelpName is not null)
        {
            option.HelpName = HelpName;
        }

        if (DefaultIn(command) is not null && Default is not string[] { Length: 0 })
        {
            // Shown by --help; whether the user gave the option is read from OptionResult.Implicit.
            option.DefaultValueFactory = _ => Default;
        }

        if (Type is ChoiceType choice)
        {
            // For --help (<json|text>) and completions; the binder checks the value first, with the other settings.
            option.AcceptOnlyFromAmong([.. choice.Values]);
        }

        return [option];
    }

    public override bool TryGetExplicit(CommandResult result, IReadOnlyList<Symbol> symbols, out object? value, out string name, out string? problem)
    {
        name = OptionName;
        value = null;
        problem = null;

        // The tokens are read here rather than through GetValue: the binder runs as a command validator, before
        // System.CommandLine converts option values (a value it cannot convert would throw there).
        var tokens = symbols[0] switch
        {
            Argument argument => result.GetResult(argument)?.Tokens,
            Option option when result.GetResult(option) is { Implicit: false } given => given.Tokens,
            _ => null,
        };
        if (tokens is null || (IsArgument && tokens.Count == 0))
        {
            return false;
        }

        if (Type is TextListType)
        {
            var list = tokens.Select(t => t.Value).ToArray();
            if (list is T typed && !Accepts(typed))
            {
                problem = $"{OptionName} {Allowed}; got '{string.Join(' ', list)}'.";
            }

            value = list;
            return true;
        }

        var raw = tokens.Count > 0 ? tokens[^1].Value : string.Empty;
        if (!Type.TryParse(raw, out var parsed))
        {
            problem = $"{OptionName} {Allowed}; got '{raw}'.";
            return true;
        }

        if (!Accepts(parsed))
        {
            problem = OptionMessage?.Invoke(raw) ?? $"{OptionName} {Allowed}; got '{raw}'.";
            return true;
        }

        value = parsed;
        return true;
    }

    public override bool TryParseText(string text, out object? value)
    {
        var ok = Type.TryParse(text, out var parsed) && Accepts(parsed);
        value = parsed;
        return ok;
    }

    public override bool TryReadJson(JsonElement element, out object? value)
    {
        var ok = Type.TryRead(element, out var read) && read is not null && Accepts(read);
        value = read;
        return ok;
    }

    public override object? ResolveRelative(object? value, string baseDirectory) =>
        RelativeTo is null || value is null ? value : RelativeTo((T)value, baseDirectory);

    public override string Format(object? value) => value is null ? string.Empty : Type.Format((T)value);

    public override IEnumerable<string> ToArguments(object? value) =>
        value is null ? [] : IsArgument ? [Type.Format((T)value)] : Type.ToArguments(OptionName, (T)value);

    public override void WriteJson(Utf8JsonWriter writer, object? value) => Type.WriteJson(writer, (T)value!);

    public override void WriteSchema(Utf8JsonWriter writer) => Type.WriteSchema(writer);
}
