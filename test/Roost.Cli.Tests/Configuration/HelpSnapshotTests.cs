using Roost.Testing;

namespace Roost.Cli.Tests.Configuration;

/// <summary>
/// The --help of the commands with settings, against committed text (test/Roost.Cli.Tests/Snapshots): a changed option,
/// default or help text shows as a diff. After a deliberate change run the tests with ROOST_UPDATE_SNAPSHOTS=1 and
/// commit the new files.
/// </summary>
public sealed class HelpSnapshotTests
{
    [Theory]
    [InlineData("serve")]
    [InlineData("run")]
    [InlineData("systemd-unit serve")]
    public async Task Help_MatchesTheSnapshot(string command)
    {
        // The real roost, output redirected: no terminal width, so lines are not wrapped.
        var (code, output) = await RoostCli.RunAsync([.. command.Split(' '), "--help"], TimeSpan.FromSeconds(60));
        var path = RepoPaths.Combine("test", "Roost.Cli.Tests", "Snapshots", $"{command.Replace(' ', '-')}-help.txt");

        Assert.Equal(0, code);
        if (Environment.GetEnvironmentVariable("ROOST_UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(path, output, TestContext.Current.CancellationToken);
        }

        var expected = File.Exists(path) ? await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken) : string.Empty;
        Assert.True(expected == output, $"'roost {command} --help' differs from {path} (ROOST_UPDATE_SNAPSHOTS=1 rewrites it):\n{TextDiff.Lines(expected, output)}");
    }
}
