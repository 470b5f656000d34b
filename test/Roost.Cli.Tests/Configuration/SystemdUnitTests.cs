using Roost.Cli.Commands;
using Roost.Cli.Configuration;
using Roost.Testing;

namespace Roost.Cli.Tests.Configuration;

/// <summary>The unit of <c>roost systemd-unit</c>: what it holds for a given command, and that systemd accepts it.</summary>
public sealed class SystemdUnitTests
{
    private static readonly string[] Roost = ["/usr/local/bin/roost"];

    [Fact]
    public void Unit_Port443_HasTheBindCapabilityAndEveryHardening()
    {
        var (unit, _) = Write(SettingScope.Serve, "--port", "443", "--cert", "/etc/roost/site.pem", "--key", "/etc/roost/site.key", "--shutdown-timeout", "20");

        Assert.Contains("\nType=notify\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nUser=roost\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n", unit, StringComparison.Ordinal);
        foreach (var line in (string[])["NoNewPrivileges=true", "ProtectSystem=strict", "ProtectHome=true", "PrivateTmp=true", "Restart=on-failure", "LimitNOFILE=65536", "KillMode=mixed"])
        {
            Assert.Contains($"\n{line}\n", unit, StringComparison.Ordinal);
        }

        // Longer than the 20 s the workers' requests get.
        Assert.Contains("\nTimeoutStopSec=35s\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nExecStart=/usr/local/bin/roost serve --port 443 --shutdown-timeout 20 --cert /etc/roost/site.pem --key /etc/roost/site.key --run-dir /run/roost/443\n", unit, StringComparison.Ordinal);
    }

    // Verifies: --user and --group become the service's User= and Group= (the whole service runs as them), not options of ExecStart.
    [Fact]
    public void Unit_UserAndGroup_AreTheServicesUserAndGroup()
    {
        var (unit, _) = Write(SettingScope.Serve, "--port", "8443", "--user", "www-data", "--group", "ssl-cert");

        Assert.Contains("\nUser=www-data\nGroup=ssl-cert\n", unit, StringComparison.Ordinal);
        Assert.DoesNotContain("--group", unit, StringComparison.Ordinal);
    }

    // Verifies: --group without --user is the Group= beside the default User=roost (serve and run; option, variable
    // and roost.json), where serve and run refuse it.
    [Fact]
    public void Unit_GroupWithoutUser_IsGroupBesideTheDefaultUser()
    {
        var (serve, _) = Write(SettingScope.Serve, "--port", "8443", "--group", "www-data");
        Assert.Contains("\nUser=roost\nGroup=www-data\n", serve, StringComparison.Ordinal);
        Assert.DoesNotContain("--group", serve, StringComparison.Ordinal);

        using var harness = new SettingsHarness();
        harness.Variables["ROOST_GROUP"] = "ssl-cert";
        var (run, _) = Write(harness, SettingScope.Run, "/srv/app/App.dll");
        Assert.Contains("\nUser=roost\nGroup=ssl-cert\n", run, StringComparison.Ordinal);
        Assert.DoesNotContain("ROOST_GROUP", run, StringComparison.Ordinal);

        using var fromFile = new SettingsHarness();
        fromFile.WriteFile(RoostSettings.Group, "www-data");
        var (file, _) = Write(fromFile, SettingScope.Serve);
        Assert.Contains("\nUser=roost\nGroup=www-data\n", file, StringComparison.Ordinal);

        using var plain = new SettingsHarness();
        var (parse, _) = plain.Resolve(SettingScope.Serve, "--group", "www-data");
        Assert.Contains(parse.Errors, e => e.Message.StartsWith("--group 'www-data' needs --user", StringComparison.Ordinal));
    }

    [Fact]
    public void Unit_RuntimeDirectory_IsTheControlSocketsFolder_ReloadGoesThroughIt()
    {
        var (unit, _) = Write(SettingScope.Serve, "--port", "8443", "--name", "web");

        Assert.Contains("\nRuntimeDirectory=roost/web\n", unit, StringComparison.Ordinal);
        Assert.Contains(" --name web --run-dir /run/roost/web\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nExecReload=/usr/local/bin/roost reload --wait --run-dir /run/roost/web\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_PortAbove1024_HasNoCapabilities()
    {
        var (unit, _) = Write(SettingScope.Serve, "--port", "8443");

        Assert.DoesNotContain("AmbientCapabilities", unit, StringComparison.Ordinal);
        Assert.Contains("\nCapabilityBoundingSet=\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_SqliteState_IsWritable_AndUnderVarLibAStateDirectory()
    {
        var (unit, _) = Write(SettingScope.Run, "/srv/app/App.dll", "--state", "sqlite:/var/lib/roost/state", "--boot-timeout", "100");

        Assert.Contains("\nReadWritePaths=/var/lib/roost/state\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nStateDirectory=roost/state\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nExecStart=/usr/local/bin/roost run /srv/app/App.dll --state sqlite:/var/lib/roost/state --boot-timeout 100 --run-dir /run/roost/8443\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nTimeoutStartSec=130s\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_Passphrase_IsNeverWritten_ButReadFromAnEnvironmentFile()
    {
        using var harness = new SettingsHarness();
        harness.Variables["ROOST_PASSPHRASE"] = "env-secret";
        var (fromEnvironment, warnings) = Write(harness, SettingScope.Serve, "--pfx", "/etc/roost/site.pfx");
        var (fromOption, _) = Write(SettingScope.Serve, "--pfx", "/etc/roost/site.pfx", "--passphrase", "option-secret");

        Assert.DoesNotContain("secret", fromEnvironment, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", fromOption, StringComparison.Ordinal);
        Assert.DoesNotContain("--passphrase", fromOption, StringComparison.Ordinal);
        Assert.Contains("\nEnvironmentFile=/etc/roost/roost-8443.env\n", fromOption, StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("ROOST_PASSPHRASE=... in /etc/roost/roost-8443.env", StringComparison.Ordinal));
    }

    [Fact]
    public void Unit_FileAndVariables_BecomeConfigAndEnvironmentLines_RelativePathsAbsolute()
    {
        using var harness = new SettingsHarness();
        var file = harness.WriteFile("""{ "port": 9443 }""");
        harness.Variables["ROOST_WORKERS"] = "4";
        harness.Variables["ROOST_ROOT"] = "my site";

        var (unit, _) = Write(harness, SettingScope.Serve, "--cert", "certs/site.pem", "--key", "/etc/roost/site.key");

        Assert.Contains("\nEnvironment=ROOST_WORKERS=4\n", unit, StringComparison.Ordinal);
        Assert.Contains($"\nEnvironment=\"ROOST_ROOT={harness.Directory}/my site\"\n", unit, StringComparison.Ordinal);
        Assert.Contains($" --cert {harness.Directory}/certs/site.pem --key /etc/roost/site.key --config {file} --run-dir /run/roost/9443\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_OneProcess_IsTypeExec_ReloadIsSighup()
    {
        var (unit, _) = Write(SettingScope.Serve, "--workers", "0");

        Assert.Contains("\nType=exec\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nExecReload=/bin/kill -HUP $MAINPID\n", unit, StringComparison.Ordinal);
        Assert.DoesNotContain("RuntimeDirectory", unit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("/srv/my site", "\"/srv/my site\"")]
    [InlineData("100%$HOME", "100%%$$HOME")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    public void Quote_EscapesWhatSystemdWouldInterpret(string value, string quoted) => Assert.Equal(quoted, SystemdUnit.Quote(value, expandsVariables: true));

    [Theory]
    [InlineData("serve", "--port", "443")]
    [InlineData("serve", "--port", "8443", "--workers", "0")]
    [InlineData("run", "app.dll", "--state", "sqlite:/var/lib/roost/state", "--passphrase", "x")]
    public async Task GeneratedUnit_PassesSystemdAnalyzeVerify(params string[] arguments)
    {
        var analyze = ExternalTool.Require("systemd-analyze", "systemd");
        using var workspace = new TempDirectory("roost-unit");
        var cert = workspace.Write("site.pem", "not read by systemd-unit");
        workspace.Write("site.key", "not read by systemd-unit");
        workspace.Write("app.dll", "not read by systemd-unit");

        // The real roost, so ExecStart names a real executable (systemd-analyze checks it exists).
        await using var roost = RoostCli.Start(["systemd-unit", .. arguments, "--cert", cert, "--key", workspace.File("site.key")], workspace.Path);
        Assert.Equal(0, await roost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var unit = workspace.Write("roost-test.service", roost.StandardOutput + "\n");

        var (code, output) = await TestProcess.RunAsync(analyze, ["verify", unit], TimeSpan.FromSeconds(60));

        Assert.True(code == 0, $"systemd-analyze verify failed ({code}):\n{output}\n--- unit:\n{File.ReadAllText(unit)}");
        Assert.DoesNotContain("roost-test.service", output, StringComparison.Ordinal);
    }

    private static (string Unit, List<string> Warnings) Write(SettingScope scope, params string[] arguments)
    {
        using var harness = new SettingsHarness();
        return Write(harness, scope, arguments);
    }

    private static (string Unit, List<string> Warnings) Write(SettingsHarness harness, SettingScope scope, params string[] arguments)
    {
        var (parse, settings) = harness.ResolveForUnit(scope, arguments);
        Assert.Empty(parse.Errors);
        var warnings = new List<string>();
        return (SystemdUnit.Write(settings, Roost, settings.Get(RoostSettings.User) ?? SystemdUnit.DefaultUser, harness.Directory, warnings), warnings);
    }
}
