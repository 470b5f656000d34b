using System.Reflection;
using System.Runtime.InteropServices;
using Roost.Testing;

namespace Roost.Cli.Tests;

/// <summary><c>roost --version</c>: the version and the commit roost was built from.</summary>
public sealed class VersionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Verifies: the informational version the SDK writes (version+commit) becomes "roost <version> (commit <7 hex>, <runtime>)".
    [Theory]
    [InlineData("0.1.0+33b6e25557998c13d48004a67cc0ef1425a4a7aa", "roost 0.1.0 (commit 33b6e25, native linux-x64)")]
    [InlineData("0.1.0-rc.1+33b6e25557998c13d48004a67cc0ef1425a4a7aa", "roost 0.1.0-rc.1 (commit 33b6e25, native linux-x64)")]
    [InlineData("0.1.0+abc", "roost 0.1.0 (commit abc, native linux-x64)")]
    [InlineData("0.1.0", "roost 0.1.0 (unknown commit, native linux-x64)")]
    [InlineData("0.1.0+", "roost 0.1.0 (unknown commit, native linux-x64)")]
    [InlineData(null, "roost 0.0.0 (unknown commit, native linux-x64)")]
    public void Describe_InformationalVersion_NamesVersionAndCommit(string? informationalVersion, string expected)
    {
        Assert.Equal(expected, BuildInfo.Describe(informationalVersion, "native linux-x64"));
    }

    // Verifies: `roost --version` (the process: roost.dll, or the native roost of ROOST_CLI) prints one line with the
    // version and the commit of HEAD (the build under test is the checkout's), and the runtime it runs on; exit 0.
    [Fact]
    public async Task Version_Process_PrintsVersionCommitAndRuntime()
    {
        var head = await GitHeadAsync();
        var informational = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var version = informational.Split('+')[0];
        var runtime = RoostCli.IsNative ? $"native {RuntimeInformation.RuntimeIdentifier}" : $".NET {Environment.Version}";

        var (code, output) = await RoostCli.RunAsync(["--version"], Timeout);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal($"roost {version} (commit {head[..7]}, {runtime})", output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    /// <summary>The commit checked out, or a skip when the tests do not run in a git checkout.</summary>
    private static async Task<string> GitHeadAsync()
    {
        var git = ExternalTool.Require("git", "git");
        var (code, output) = await TestProcess.RunAsync(git, ["-C", RepoPaths.Root, "rev-parse", "HEAD"], Timeout);
        if (code != 0)
        {
            Assert.Skip($"'{RepoPaths.Root}' is not a git checkout, so no commit is recorded in the build: {output.Trim()}");
        }

        return output.Trim();
    }
}
