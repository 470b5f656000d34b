using Roost.Cli.Configuration;

namespace Roost.Cli.Tests.Configuration;

/// <summary>Problems of the file itself: unknown keys (with a did-you-mean), keys of the other command, duplicates, JSON errors.</summary>
public sealed class ConfigFileTests
{
    [Theory]
    [InlineData("prot", "roost.json: prot: unknown setting; did you mean port?")]
    [InlineData("shutdown_timeout", "roost.json: shutdown_timeout: unknown setting; did you mean shutdown-timeout?")]
    [InlineData("shutdownTimeout", "roost.json: shutdownTimeout: unknown setting; did you mean shutdown-timeout?")]
    [InlineData("wokrers", "roost.json: wokrers: unknown setting; did you mean workers?")]
    [InlineData("certificate", "roost.json: certificate: unknown setting. The keys are the options' names without '--' (roost serve --help, docs/cli.md).")]
    [InlineData("state", "roost.json: state: only roost run takes this setting; remove it from the file, or use roost run.")]
    public void UnknownOrForeignKey_IsAnError_WithASuggestionWhenOneIsClose(string key, string message)
    {
        using var harness = new SettingsHarness();
        harness.WriteFile($$"""{ "$schema": "./roost.schema.json", "{{key}}": 1 }""");

        var (parse, _) = harness.Resolve(SettingScope.Serve);

        Assert.Equal(message, Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void KeyGivenTwice_IsAnError()
    {
        using var harness = new SettingsHarness();
        harness.WriteFile("""{ "port": 1, "port": 2 }""");

        Assert.Equal("roost.json: port: given twice; keep one.", Assert.Single(harness.Resolve(SettingScope.Serve).Parse.Errors).Message);
    }

    [Theory]
    [InlineData("{ \"port\": 1 \"host\": \"::\" }", "roost.json: line 1, column 13: not valid JSON: ")]
    [InlineData("[1, 2]", "roost.json: must be a JSON object such as { \"port\": 8443 }; got an array.")]
    public void NotAJsonObject_NamesTheFileAndWhere(string text, string start)
    {
        using var harness = new SettingsHarness();
        harness.WriteFile(text);

        Assert.StartsWith(start, Assert.Single(harness.Resolve(SettingScope.Serve).Parse.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--prot", "error: Unrecognized command or argument '--prot'. Did you mean --port?")]
    [InlineData("--shutdown_timeout", "error: Unrecognized command or argument '--shutdown_timeout'. Did you mean --shutdown-timeout?")]
    [InlineData("--zzzzzzzz", "error: Unrecognized command or argument '--zzzzzzzz'.")]
    public async Task MistypedOption_GetsADidYouMean(string option, string line)
    {
        var error = new StringWriter();
        var code = await Program.RunAsync(["serve", option, "1"], new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.InvalidUsage, code);
        Assert.Contains(line, error.ToString().Split(Environment.NewLine));
    }

    [Theory]
    [InlineData("port", "prot", 1)]
    [InlineData("workers", "wrokers", 1)]
    [InlineData("host", "port", 2)]
    public void Distance_CountsASwapAsOneEdit(string a, string b, int distance) => Assert.Equal(distance, DidYouMean.Distance(a, b));
}
