using System.Runtime.InteropServices;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// What <c>scripts/release.sh</c> made for this machine: the roost tool packages and the release archive. The native
/// roost takes minutes to compile, so the tests do not make it: .ci/run runs the script before the tests (and tests
/// the native roost from the unpacked archive). Locally, run <c>scripts/release.sh</c> first; a missing artifact skips
/// the test here and fails it under CI.
/// </summary>
public sealed class ReleaseArtifacts
{
    /// <summary>The variable naming the script's output folder (its <c>--out</c>); default: the repository's <c>artifacts/</c>.</summary>
    public const string Variable = "ROOST_RELEASE_DIR";

    private ReleaseArtifacts(string folder, string version, string rid)
    {
        Version = version;
        Rid = rid;
        Packages = Path.Combine(folder, "packages");
        var release = Path.Combine(folder, "release");
        Archive = Path.Combine(release, $"roost-{version}-{rid}.tar.gz");
    }

    /// <summary>The version the artifacts carry (the repository's).</summary>
    public string Version { get; }

    /// <summary>The runtime identifier of this machine's native roost: linux-x64 or linux-arm64.</summary>
    public string Rid { get; }

    /// <summary>The folder holding roost.&lt;version&gt;.nupkg, roost.&lt;rid&gt;.… and roost.any.….</summary>
    public string Packages { get; }

    /// <summary>roost-&lt;version&gt;-&lt;rid&gt;.tar.gz.</summary>
    public string Archive { get; }

    /// <summary>The archive's checksum file (<c>sha256sum</c> format).</summary>
    public string ArchiveChecksum => Archive + ".sha256";

    /// <summary>The folder the archive unpacks to (its one top-level entry).</summary>
    public string ArchiveFolderName => Path.GetFileName(Archive)[..^".tar.gz".Length];

    /// <summary>The artifacts of <paramref name="version"/> for this machine, or a skip (a failure under CI) naming what is missing.</summary>
    public static ReleaseArtifacts Require(string version)
    {
        var rid = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 when OperatingSystem.IsLinux() => "linux-x64",
            Architecture.Arm64 when OperatingSystem.IsLinux() => "linux-arm64",
            _ => null,
        };
        if (rid is null)
        {
            Assert.Skip($"Roost ships a native roost for linux-x64 and linux-arm64 only, not for {RuntimeInformation.RuntimeIdentifier}.");
        }

        var folder = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? Path.GetFullPath(given) : RepoPaths.Combine("artifacts");
        var artifacts = new ReleaseArtifacts(folder, version, rid);
        string[] expected =
        [
            Path.Combine(artifacts.Packages, $"roost.{version}.nupkg"),
            Path.Combine(artifacts.Packages, $"roost.{rid}.{version}.nupkg"),
            Path.Combine(artifacts.Packages, $"roost.any.{version}.nupkg"),
            artifacts.Archive,
            artifacts.ArchiveChecksum,
        ];
        var missing = expected.Where(path => !File.Exists(path)).ToList();
        if (missing.Count > 0)
        {
            var message = $"Release artifacts not found: {string.Join(", ", missing)}. Make them with scripts/release.sh " +
                $"(it compiles the native roost, 1-3 minutes; set {Variable} if you gave it --out).";
            if (ExternalTool.IsCi)
            {
                Assert.Fail(message + " CI=true: .ci/run runs scripts/release.sh before the tests.");
            }

            Assert.Skip(message);
        }

        return artifacts;
    }
}
