using System.CommandLine;
using System.CommandLine.Parsing;

namespace Roost.Cli.Configuration;

/// <summary>
/// An on/off setting. Its file key and variable say it positively (<c>"watch": false</c>, <c>ROOST_WATCH=false</c>);
/// on the command line it has a <c>--no-…</c> flag and, when the default is not the only way to turn it on, a
/// positive one (<c>--hot-spare</c> / <c>--no-hot-spare</c>).
/// </summary>
internal sealed class BooleanSetting : Setting<bool>
{
    public BooleanSetting(string key, SettingScope scope, string description)
        : base(key, scope, new BooleanType(), "must be true or false", description)
    {
    }

    /// <summary>Gets the flag that turns it on (<see langword="null"/>: none).</summary>
    public string? OnFlag { get; init; }

    /// <summary>Gets the help text of <see cref="OnFlag"/> (default: <see cref="Setting.Description"/>).</summary>
    public string? OnDescription { get; init; }

    /// <summary>Gets the flag that turns it off (<c>--no-watch</c>).</summary>
    public required string OffFlag { get; init; }

    /// <summary>Gets the help text of <see cref="OffFlag"/>.</summary>
    public required string OffDescription { get; init; }

    public override string OptionName => OnFlag ?? OffFlag;

    public override IReadOnlyList<Symbol> CreateSymbols(SettingScope command)
    {
        var off = new Option<bool>(OffFlag) { Description = OffDescription };
        if (OnFlag is null)
        {
            return [off];
        }

        var on = new Option<bool>(OnFlag) { Description = OnDescription ?? Description, DefaultValueFactory = _ => Default };
        return [on, off];
    }

    public override bool TryGetExplicit(CommandResult result, IReadOnlyList<Symbol> symbols, out object? value, out string name, out string? problem)
    {
        // --no-x wins over --x when both are given (as before the settings table: hot spare = --hot-spare && !--no-hot-spare).
        problem = null;
        foreach (var option in symbols.OfType<Option<bool>>().Reverse())
        {
            if (result.GetResult(option) is { Implicit: false } given)
            {
                name = option.Name;
                var flag = true;
                if (given.Tokens.Count > 0 && !Type.TryParse(given.Tokens[^1].Value, out flag))
                {
                    problem = $"{option.Name} takes no value, or true or false; got '{given.Tokens[^1].Value}'.";
                }

                value = option.Name == OffFlag ? !flag : flag;
                return true;
            }
        }

        name = OptionName;
        value = null;
        return false;
    }

    public override IEnumerable<string> ToArguments(object? value) => value switch
    {
        false => [OffFlag],
        true when OnFlag is not null => [OnFlag],

        // No flag turns it on: "on" is the default, so nothing needs saying.
        _ => [],
    };
}
