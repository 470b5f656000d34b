using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// The roost .NET tool and the release archive, installed from outside the repository the way a user does: a tool
/// install into a temporary folder, the one-shot <c>dotnet tool exec</c> / <c>dnx</c>, the archive unpacked in a
/// temporary folder. Each answers h2 on the welcome page and prints its version and commit. NuGet's global packages
/// folder is a temporary one, so nothing cached from an earlier build of the same version is used or left behind.
/// </summary>
public sealed partial class RoostToolTests(PackagesFixture packages)
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    // Verifies: `dotnet tool install --tool-path <tmp> roost --add-source <packages>` on linux-x64/arm64 installs the
    // native roost (an ELF executable, no roost.dll) with hook/ beside it; --version names the version and commit;
    // `<tmp>/roost serve --port 0` answers h2.
    [Fact]
    public async Task ToolInstall_ToolPath_InstallsTheNativeRoostThatAnswersH2()
    {
        var release = ReleaseArtifacts.Require(packages.Version);
        using var temp = new TempDirectory("roost-tool");
        var toolPath = temp.File("tools");

        await DotnetCommand.RunAsync(
            ["tool", "install", "--tool-path", toolPath, "roost", "--add-source", release.Packages, "--version", release.Version],
            temp.Path, InstallTimeout, IsolatedNuGet(temp));

        var roost = Path.Combine(toolPath, "roost");
        var installed = File.ResolveLinkTarget(roost, returnFinalTarget: true)?.FullName ?? roost;
        AssertNativeExecutable(installed);
        var folder = Path.GetDirectoryName(installed)!;
        Assert.False(File.Exists(Path.Combine(folder, "roost.dll")), $"A managed roost.dll was installed beside the native roost in {folder}.");
        Assert.True(File.Exists(Path.Combine(folder, "hook", "Roost.StartupHook.dll")), $"hook/Roost.StartupHook.dll (roost run needs it) is missing beside {installed}.");
        await AssertVersionAsync(roost, [], release);
        await AssertServesH2Async(roost, [], temp);
    }

    // Verifies: `dotnet tool install -g roost --add-source <packages>` puts roost on the global tools path
    // (~/.dotnet/tools, here under a temporary DOTNET_CLI_HOME) and it runs.
    [Fact]
    public async Task ToolInstall_Global_PutsRoostOnTheToolsPath()
    {
        var release = ReleaseArtifacts.Require(packages.Version);
        using var temp = new TempDirectory("roost-tool");
        var home = temp.File("home");
        var environment = IsolatedNuGet(temp);
        environment["DOTNET_CLI_HOME"] = home;

        await DotnetCommand.RunAsync(
            ["tool", "install", "-g", "roost", "--add-source", release.Packages, "--version", release.Version],
            temp.Path, InstallTimeout, environment);

        var roost = Path.Combine(home, ".dotnet", "tools", "roost");
        AssertNativeExecutable(File.ResolveLinkTarget(roost, returnFinalTarget: true)?.FullName ?? roost);
        await AssertVersionAsync(roost, [], release);
    }

    // Verifies: the one-shot runs, `dotnet tool exec roost -- serve` and `dnx roost serve`, fetch the tool from the
    // packages and the roost they start answers h2 (SIGTERM to the launcher stops it).
    [Theory]
    [InlineData("dotnet tool exec")]
    [InlineData("dnx")]
    public async Task OneShot_Serve_AnswersH2(string launcher)
    {
        var release = ReleaseArtifacts.Require(packages.Version);
        using var temp = new TempDirectory("roost-tool");
        var tool = $"roost@{release.Version}";
        var (fileName, prefix) = launcher == "dnx"
            ? (Dnx(), new[] { "--add-source", release.Packages, tool })
            : ("dotnet", new[] { "tool", "exec", "--add-source", release.Packages, tool, "--" });

        await AssertServesH2Async(fileName, prefix, temp, DotnetCommand.Environment(IsolatedNuGet(temp)));
    }

    // Verifies: the release archive matches its .sha256, unpacks into one folder with the native roost (executable),
    // hook/, libe_sqlite3.so, LICENSE and README.md, and from there `roost --version` and `roost serve` work.
    [Fact]
    public async Task ReleaseArchive_Unpacked_VersionAndServeWork()
    {
        var release = ReleaseArtifacts.Require(packages.Version);
        using var temp = new TempDirectory("roost-archive");
        var checksumLine = (await File.ReadAllTextAsync(release.ArchiveChecksum, TestContext.Current.CancellationToken)).Trim();
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(File.OpenRead(release.Archive), TestContext.Current.CancellationToken));
        Assert.Equal($"{actual}  {Path.GetFileName(release.Archive)}", checksumLine);

        var (tarCode, tarOutput) = await TestProcess.RunAsync("tar", ["-xzf", release.Archive, "-C", temp.Path], CommandTimeout);
        Assert.True(tarCode == 0, $"tar -xzf {release.Archive} failed ({tarCode}): {tarOutput}");

        Assert.Equal([release.ArchiveFolderName], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
        var folder = Path.Combine(temp.Path, release.ArchiveFolderName);
        var roost = Path.Combine(folder, "roost");
        AssertNativeExecutable(roost);
        Assert.True(File.GetUnixFileMode(roost).HasFlag(UnixFileMode.OtherExecute), $"{roost} is not executable by every user: {File.GetUnixFileMode(roost)}.");
        foreach (var file in new[] { "hook/Roost.StartupHook.dll", "libe_sqlite3.so", "README.md" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), $"The archive has no {file}.");
        }

        Assert.Contains("MIT License", await File.ReadAllTextAsync(Path.Combine(folder, "LICENSE"), TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(folder, "*.dbg"));
        await AssertVersionAsync(roost, [], release);
        await AssertServesH2Async(roost, [], temp);
    }

    /// <summary>A private NuGet global packages folder, so no earlier build of the same version is reused.</summary>
    private static Dictionary<string, string?> IsolatedNuGet(TempDirectory temp) =>
        new(StringComparer.Ordinal) { ["NUGET_PACKAGES"] = temp.File("nuget-packages") };

    /// <summary><c>dnx</c>, which the SDK installs beside the <c>dotnet</c> executable.</summary>
    private static string Dnx()
    {
        var dotnet = ExternalTool.Require("dotnet", "dotnet-sdk-10.0");
        var resolved = File.ResolveLinkTarget(dotnet, returnFinalTarget: true)?.FullName ?? dotnet;
        var dnx = Path.Combine(Path.GetDirectoryName(resolved)!, "dnx");
        Assert.True(File.Exists(dnx), $"dnx not found beside {resolved}: the .NET 10 SDK installs it there.");
        return dnx;
    }

    private static void AssertNativeExecutable(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist.");
        var magic = new byte[4];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadExactly(magic);
        }

        Assert.True(magic is [0x7F, (byte)'E', (byte)'L', (byte)'F'], $"{path} is not an ELF executable (a managed build?): it starts with {Convert.ToHexString(magic)}.");
    }

    private static async Task AssertVersionAsync(string fileName, string[] prefix, ReleaseArtifacts release)
    {
        var (code, output) = await TestProcess.RunAsync(fileName, [.. prefix, "--version"], CommandTimeout);

        Assert.Equal(0, code);
        Assert.Matches($@"^roost {Regex.Escape(release.Version)} \(commit [0-9a-f]{{7}}, native {release.Rid}\)$", output.Trim());
    }

    /// <summary>Starts <c>roost serve --port 0</c> (after <paramref name="prefix"/>), GETs / over h2 trusting only the development root, stops it with SIGTERM.</summary>
    private static async Task AssertServesH2Async(string fileName, string[] prefix, TempDirectory temp, Dictionary<string, string?>? environment = null)
    {
        var certificates = temp.File("dev-certs");
        environment ??= [];
        environment["ROOST_DEV_CERT_DIR"] = certificates;
        await using var roost = TestProcess.Start(fileName, [.. prefix, "serve", "--port", "0", "--host", "127.0.0.1"], temp.Path, environment, "roost");

        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value);
        var response = await Curl.GetAsync($"https://127.0.0.1:{port}/", Path.Combine(certificates, "root-ca.pem"), http2: true);

        Assert.Equal("2", response.HttpVersion);
        Assert.Contains("Roost is running", System.Text.Encoding.UTF8.GetString(response.Body));
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [GeneratedRegex(@":(\d+)/")]
    private static partial Regex PortPattern();
}
