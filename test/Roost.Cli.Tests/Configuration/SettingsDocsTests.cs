using System.Text;
using Roost.Cli.Configuration;
using Roost.Testing;

namespace Roost.Cli.Tests.Configuration;

/// <summary>docs/cli.md lists every setting as the table declares it (a new setting fails here until it is documented).</summary>
public sealed class SettingsDocsTests
{
    [Fact]
    public async Task CliDocs_ListEverySetting_AsDeclared()
    {
        var docs = await File.ReadAllTextAsync(RepoPaths.Combine("docs", "cli.md"), TestContext.Current.CancellationToken);
        var table = Table();

        Assert.True(docs.Contains(table, StringComparison.Ordinal), "docs/cli.md (Configuration file) must hold this table, as generated from RoostSettings:\n" + table);
    }

    [Fact]
    public async Task CliDocs_ExampleFile_IsAccepted()
    {
        var docs = await File.ReadAllTextAsync(RepoPaths.Combine("docs", "cli.md"), TestContext.Current.CancellationToken);
        var start = docs.IndexOf("```jsonc\n", StringComparison.Ordinal) + "```jsonc\n".Length;
        var example = docs[start..docs.IndexOf("```", start, StringComparison.Ordinal)];
        using var harness = new SettingsHarness();
        harness.WriteFile(example);

        var (parse, settings) = harness.Resolve(SettingScope.Serve);

        Assert.Empty(parse.Errors);
        Assert.Equal(443, settings.Get(RoostSettings.Port));
        Assert.Equal(Path.Combine(harness.Directory, "certs/site.pem"), settings.Get(RoostSettings.Cert));
    }

    private static string Table()
    {
        var table = new StringBuilder();
        table.Append("| key | option | environment | default | for |\n|---|---|---|---|---|\n");
        foreach (var setting in RoostSettings.All)
        {
            var option = setting switch
            {
                BooleanSetting { OnFlag: { } on } flags => $"`{on}` / `{flags.OffFlag}`",
                BooleanSetting flags => $"`{flags.OffFlag}`",
                _ when setting.IsArgument => $"argument `{setting.OptionName}`",
                _ => $"`{setting.OptionName}`",
            };
            var defaultValue = setting.DefaultValue is { } value && setting.Format(value).Length > 0
                ? $"`{setting.Format(value)}`"
                : setting.DefaultDescription is { } text ? (text.Contains('<', StringComparison.Ordinal) ? $"`{text}`" : text) : "—";
            if (setting.DefaultScope != SettingScope.Both && setting.AppliesTo(SettingScope.Both & ~setting.DefaultScope))
            {
                // A default of one command only (roost serve's --max-body-size): the other's meaning after it.
                defaultValue = $"{defaultValue} ({Name(setting.DefaultScope)}); {Name(SettingScope.Both & ~setting.DefaultScope)}: {setting.DefaultDescription}";
            }

            var scope = Name(setting.Scope);
            table.Append(System.Globalization.CultureInfo.InvariantCulture, $"| `{setting.Key}` | {option} | `{setting.EnvironmentVariable}` | {defaultValue} | {scope} |\n");
        }

        return table.ToString();
    }

    private static string Name(SettingScope scope) => scope switch
    {
        SettingScope.Serve => "serve",
        SettingScope.Run => "run",
        _ => "serve, run",
    };
}
