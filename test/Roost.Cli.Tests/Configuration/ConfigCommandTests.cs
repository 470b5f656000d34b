using System.CommandLine;
using System.Text.Json;
using Roost.Cli.Configuration;
using Roost.Testing;

namespace Roost.Cli.Tests.Configuration;

/// <summary><c>roost config show</c> (sources, masking, problems) and <c>roost config schema</c> (equal to docs/roost.schema.json).</summary>
public sealed class ConfigCommandTests
{
    [Fact]
    public async Task Show_PrintsEachValueWithItsSource_AndMasksSecrets()
    {
        using var harness = new SettingsHarness();
        harness.WriteFile("""{ "port": 9443, "passphrase": "file-secret" }""");
        harness.Variables["ROOST_WORKERS"] = "4";
        harness.Variables["ROOST_PASSPHRASE"] = "env-secret";

        var (code, output, error) = await InvokeAsync(harness, "config", "show", "run", "app.dll", "--passphrase", "option-secret", "--state", "redis://roost:redis-secret@127.0.0.1:6379");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(error);
        Assert.DoesNotContain("secret", output.Replace("redis://roost:********@", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("redis://roost:********@127.0.0.1:6379", output, StringComparison.Ordinal);
        Assert.Matches(@"passphrase\s*│\s*\*{8}\s*│\s*option --passphrase", output);
        Assert.Matches(@"port\s*│\s*9443\s*│\s*file roost\.json", output);
        Assert.Matches(@"workers\s*│\s*4\s*│\s*environment ROOST_WORKERS", output);
        Assert.Matches(@"host\s*│\s*0\.0\.0\.0\s*│\s*default", output);
        Assert.Matches(@"app\s*│\s*app\.dll\s*│\s*argument APP", output);
        Assert.Contains("Configuration file: roost.json", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_PassphraseFromFileOrEnvironment_IsMaskedToo()
    {
        using var harness = new SettingsHarness();
        harness.WriteFile("""{ "passphrase": "file-secret" }""");
        var (_, fromFile, _) = await InvokeAsync(harness, "config", "show", "serve");
        harness.Variables["ROOST_TLS_PASSPHRASE"] = "env-secret";
        var (_, fromEnvironment, _) = await InvokeAsync(harness, "config", "show", "serve");

        Assert.DoesNotContain("secret", fromFile, StringComparison.Ordinal);
        Assert.Matches(@"passphrase\s*│\s*\*{8}\s*│\s*file roost\.json", fromFile);
        Assert.DoesNotContain("secret", fromEnvironment, StringComparison.Ordinal);
        Assert.Matches(@"passphrase\s*│\s*\*{8}\s*│\s*environment ROOST_TLS_PASSPHRASE", fromEnvironment);
    }

    [Fact]
    public async Task Show_BadSettings_PrintsTheTableThenEveryProblem_ExitsWithInvalidUsage()
    {
        using var harness = new SettingsHarness();
        harness.WriteFile("""{ "workers": -1, "prto": 1 }""");

        var (code, output, error) = await InvokeAsync(harness, "config", "show", "serve");

        Assert.Equal(ExitCodes.InvalidUsage, code);
        Assert.Matches(@"workers\s*│\s*auto\s*│\s*default", output);
        Assert.Contains("error: roost.json: workers: must be auto, 0 or 1..1024; got -1.", error, StringComparison.Ordinal);
        Assert.Contains("error: roost.json: prto: unknown setting; did you mean port?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_EqualsTheCopyInDocs()
    {
        using var harness = new SettingsHarness();
        var (code, output, _) = await InvokeAsync(harness, "config", "schema");
        var committed = await File.ReadAllTextAsync(RepoPaths.Combine("docs", "roost.schema.json"), TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.True(
            committed == output,
            "docs/roost.schema.json differs from the schema the settings table gives; regenerate it: dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll config schema > docs/roost.schema.json\n"
            + TextDiff.Lines(committed, output));
    }

    [Fact]
    public void Schema_HasEverySettingWithItsDefault_AndRejectsOtherKeys()
    {
        using var schema = JsonDocument.Parse(SettingsSchema.Write());
        var properties = schema.RootElement.GetProperty("properties");

        Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["$schema", .. RoostSettings.All.Select(s => s.Key)], properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal(8443, properties.GetProperty("port").GetProperty("default").GetInt32());
        Assert.Equal(["text", "json"], properties.GetProperty("log-format").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("ROOST_SHUTDOWN_TIMEOUT", properties.GetProperty("shutdown-timeout").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> InvokeAsync(SettingsHarness harness, params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Program.BuildCommand(harness.Environment).Parse(arguments)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
