using Roost.Cli.Configuration;

namespace Roost.Cli.Tests.Configuration;

/// <summary>
/// Precedence and messages for every setting, generated from the settings table: a new setting in
/// <see cref="RoostSettings"/> is covered here without writing a test.
/// </summary>
public sealed class SettingsBinderTests
{
    public static TheoryData<string> Keys => [.. RoostSettings.All.Select(s => s.Key)];

    public static TheoryData<string, string> InvalidTexts =>
    [
        .. RoostSettings.All.SelectMany(s => s.InvalidTexts.Select(text => (s.Key, text))),
    ];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Setting_DefaultThenFileThenEnvironmentThenOption_EachOverridesTheOneBefore(string key)
    {
        var setting = RoostSettings.Find(key)!;
        var scope = SettingsHarness.CommandOf(setting);
        var required = SettingsHarness.Required(scope, setting);
        var samples = setting.SampleValues;
        Assert.Equal(3, samples.Count);
        Assert.NotEqual(setting.Format(setting.DefaultValue), setting.Format(samples[0]));
        Assert.NotEqual(setting.Format(samples[0]), setting.Format(samples[1]));
        Assert.NotEqual(setting.Format(samples[1]), setting.Format(samples[2]));
        using var harness = new SettingsHarness();

        // 1. Nothing given: the default.
        var (_, settings) = harness.Resolve(scope, required);
        AssertValue(setting, setting.DefaultValue, SettingSourceKind.Default, settings);

        // 2. The file (paths in it are relative to its folder).
        harness.WriteFile(setting, samples[0]);
        (var parse, settings) = harness.Resolve(scope, required);
        Assert.Empty(parse.Errors);
        AssertValue(setting, setting.ResolveRelative(samples[0], harness.Directory), SettingSourceKind.File, settings);
        Assert.Equal(ConfigFile.DefaultFileName, settings.SourceOf(setting).Name);

        // 3. The environment over the file.
        harness.Variables[setting.EnvironmentVariable] = setting.Format(samples[1]);
        (parse, settings) = harness.Resolve(scope, required);
        Assert.Empty(parse.Errors);
        AssertValue(setting, samples[1], SettingSourceKind.Environment, settings);
        Assert.Equal(setting.EnvironmentVariable, settings.SourceOf(setting).Name);

        // 4. The option over both.
        (parse, settings) = harness.Resolve(scope, [.. required, .. setting.ToArguments(samples[2])]);
        Assert.Empty(parse.Errors);
        AssertValue(setting, samples[2], SettingSourceKind.Option, settings);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Setting_WrongJsonTypeInFile_NamesFileKeyValueAndWhatIsAllowed(string key)
    {
        var setting = RoostSettings.Find(key)!;
        var scope = SettingsHarness.CommandOf(setting);
        using var harness = new SettingsHarness();
        var wrong = setting is BooleanSetting ? "\"yes please\"" : "true";
        harness.WriteFile($$"""{ "{{key}}": {{wrong}} }""");

        var (parse, settings) = harness.Resolve(scope, SettingsHarness.Required(scope, setting));

        var expected = $"roost.json: {key}: {setting.Allowed}; got {wrong}.";
        Assert.Contains(expected, settings.Problems);
        Assert.Contains(expected, parse.Errors.Select(e => e.Message));
    }

    [Theory]
    [MemberData(nameof(InvalidTexts))]
    public void Setting_InvalidValue_IsReportedFromFileEnvironmentAndOption(string key, string text)
    {
        var setting = RoostSettings.Find(key)!;
        var scope = SettingsHarness.CommandOf(setting);
        var required = SettingsHarness.Required(scope, setting);
        using var harness = new SettingsHarness();

        // The file: the value as written there (a number stays a number, a list is a list).
        var json = setting.DefaultValue is string[]? $"[\"{text}\"]" : double.TryParse(text, out _) && setting is not BooleanSetting ? text : $"\"{text}\"";
        harness.WriteFile($$"""{ "{{key}}": {{json}} }""");
        var (_, fromFile) = harness.Resolve(scope, required);
        Assert.Equal([$"roost.json: {key}: {setting.Allowed}; got {json}."], fromFile.Problems);

        // The environment, with the file gone.
        File.Delete(Path.Combine(harness.Directory, ConfigFile.DefaultFileName));
        harness.Variables[setting.EnvironmentVariable] = text;
        var (_, fromEnvironment) = harness.Resolve(scope, required);
        Assert.Equal([$"{setting.EnvironmentVariable}: {setting.Allowed}; got '{text}'."], fromEnvironment.Problems);

        // The option (on/off settings take no value on the command line).
        if (setting is BooleanSetting)
        {
            return;
        }

        harness.Variables.Clear();
        var (parse, fromOption) = harness.Resolve(scope, [.. required, setting.OptionName, text]);
        var message = Assert.Single(fromOption.Problems);
        Assert.Contains(setting.OptionName, message, StringComparison.Ordinal);
        Assert.Contains(text, message, StringComparison.Ordinal);
        Assert.Equal(message, Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Workers_Negative_MessagesNameFileOrVariable()
    {
        using var harness = new SettingsHarness();
        harness.WriteFile("""{ "workers": -1 }""");
        harness.Variables["ROOST_PORT"] = "http";

        var (parse, _) = harness.Resolve(SettingScope.Serve);

        Assert.Equal(
            ["ROOST_PORT: must be a port from 0 to 65535 (0 picks a free port); got 'http'.", "roost.json: workers: must be auto, 0 or 1..1024; got -1."],
            parse.Errors.Select(e => e.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Problems_FromEverySource_AreReportedTogether()
    {
        using var harness = new SettingsHarness();
        harness.WriteFile("""
            {
              // comments and trailing commas are allowed
              "workers": "many",
              "prot": 8080,
              "max-age-jitter": "5m",
            }
            """);
        harness.Variables["ROOST_SHUTDOWN_TIMEOUT"] = "-3";

        var (parse, _) = harness.Resolve(SettingScope.Serve, "--port", "70000", "--tls-policy", "old");

        string[] expected =
        [
            "Port 70000 is out of range. Use a port from 1 to 65535, or 0 to let the system pick a free one. (option --port)",
            "ROOST_SHUTDOWN_TIMEOUT: must be a number of seconds from 0 to 86400; got '-3'.",
            "--tls-policy must be intermediate, modern or compatible; got 'old'.",
            "roost.json: max-age-jitter: only applies together with max-age; set max-age too, or remove max-age-jitter.",
            "roost.json: prot: unknown setting; did you mean port?",
            "roost.json: workers: must be auto, 0 or 1..1024; got \"many\".",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), parse.Errors.Select(e => e.Message).Order(StringComparer.Ordinal));
    }

    // Verifies: serve and run refuse --group without --user (the workers take the group with their user), naming where
    // it was given, the value and what to do.
    [Fact]
    public void Group_WithoutUser_ServeAndRunRefuse_NamingTheValueAndWhatToDo()
    {
        using var harness = new SettingsHarness();
        var (serve, _) = harness.Resolve(SettingScope.Serve, "--group", "www-data");
        var message = Assert.Single(serve.Errors).Message;
        Assert.StartsWith("--group 'www-data' needs --user", message, StringComparison.Ordinal);
        Assert.Contains("--user www-data --group www-data", message, StringComparison.Ordinal);
        Assert.Contains("or drop --group", message, StringComparison.Ordinal);

        harness.WriteFile(RoostSettings.Group, "ssl-cert");
        var (run, _) = harness.Resolve(SettingScope.Run, "/srv/app/App.dll");
        Assert.StartsWith("roost.json: group 'ssl-cert' needs --user", Assert.Single(run.Errors).Message, StringComparison.Ordinal);

        Assert.Empty(harness.Resolve(SettingScope.Run, "/srv/app/App.dll", "--user", "www-data").Parse.Errors);
    }

    [Fact]
    public void Passphrase_OlderVariable_IsStillRead_NewerWins()
    {
        using var harness = new SettingsHarness();
        harness.Variables["ROOST_TLS_PASSPHRASE"] = "old";
        Assert.Equal("old", harness.Resolve(SettingScope.Serve).Settings.Get(RoostSettings.Passphrase));

        harness.Variables["ROOST_PASSPHRASE"] = "new";
        var (_, settings) = harness.Resolve(SettingScope.Serve);
        Assert.Equal("new", settings.Get(RoostSettings.Passphrase));
        Assert.Equal("ROOST_PASSPHRASE", settings.SourceOf(RoostSettings.Passphrase).Name);
    }

    [Fact]
    public void ConfigOption_NamesAFileElsewhere_PathsInItAreRelativeToIt()
    {
        using var harness = new SettingsHarness();
        var folder = Directory.CreateDirectory(Path.Combine(harness.Directory, "etc")).FullName;
        File.WriteAllText(Path.Combine(folder, "site.json"), """{ "cert": "site.pem", "ca": ["chain.pem", "/abs/root.pem"], "port": 9443 }""");

        var (parse, settings) = harness.Resolve(SettingScope.Serve, "--config", "etc/site.json");

        Assert.Empty(parse.Errors);
        Assert.Equal("etc/site.json", settings.ConfigFile);
        Assert.Equal(Path.Combine(folder, "site.pem"), settings.Get(RoostSettings.Cert));
        Assert.Equal([Path.Combine(folder, "chain.pem"), "/abs/root.pem"], settings.Get(RoostSettings.Ca));
        Assert.Equal("file etc/site.json", settings.SourceOf(RoostSettings.Port).ToString());
    }

    [Fact]
    public void ConfigVariable_NamesTheFile_AMissingFileIsAnError()
    {
        using var harness = new SettingsHarness();
        harness.Variables["ROOST_CONFIG"] = "missing.json";

        var (parse, _) = harness.Resolve(SettingScope.Serve);

        Assert.Equal(
            "Configuration file 'missing.json' (environment ROOST_CONFIG) does not exist. Check the path; relative paths are resolved against the working directory.",
            Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Run_WithoutApp_SaysWhereToGiveIt_AppFromFileWorks()
    {
        using var harness = new SettingsHarness();
        Assert.Equal(
            "roost run needs the app (its .dll, publish folder or project folder): give it as the argument (roost run ./publish), as \"app\" in the configuration file, or as ROOST_APP.",
            Assert.Single(harness.Resolve(SettingScope.Run).Parse.Errors).Message);

        harness.WriteFile("""{ "app": "publish" }""");
        var (parse, settings) = harness.Resolve(SettingScope.Run);
        Assert.Empty(parse.Errors);
        Assert.Equal(Path.Combine(harness.Directory, "publish"), settings.Get(RoostSettings.App));
    }

    private static void AssertValue(Setting setting, object? expected, SettingSourceKind source, EffectiveSettings settings)
    {
        Assert.Equal(setting.Format(expected), setting.Format(settings.ValueOf(setting)));
        Assert.Equal(source, settings.SourceOf(setting).Kind);
    }
}
