using System.Text.RegularExpressions;
using System.Xml.Linq;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// The libraries' internals are reached only through deliberate seams: the roost command
/// uses the public API (the control client in Roost.Control) and internal members of public types, never an
/// internal namespace; every InternalsVisibleTo names a project of the repository.
/// </summary>
public sealed partial class SeamTests
{
    // Verifies: no file of the roost command imports or names an internal namespace of a library
    // (Roost.Server.Internal…, Roost.Clustering.Internal…, Roost.StartupHook.Internal…).
    [Fact]
    public void CliFiles_NameNoInternalNamespace()
    {
        var offenders = Directory.GetFiles(RepoPaths.Combine("src", "Roost.Cli"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(file))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(x => InternalNamespace().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.file)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "The CLI names internal namespaces:\n" + string.Join('\n', offenders));
    }

    // Verifies: every InternalsVisibleTo of a library names the assembly of a project that exists in the repository.
    [Fact]
    public void InternalsVisibleTo_NamesOnlyProjectsThatExist()
    {
        var assemblies = Directory.GetFiles(RepoPaths.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(project => !IsBuildOutput(project))
            .Select(project => XDocument.Load(project).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault()
                ?? Path.GetFileNameWithoutExtension(project))
            .ToHashSet(StringComparer.Ordinal);
        var stale = Directory.GetFiles(RepoPaths.Combine("src"), "*.csproj", SearchOption.AllDirectories)
            .SelectMany(project => XDocument.Load(project).Descendants("InternalsVisibleTo")
                .Select(e => (Project: Path.GetFileName(project), Friend: e.Attribute("Include")?.Value ?? string.Empty)))
            .Where(x => !assemblies.Contains(x.Friend))
            .Select(x => $"{x.Project}: {x.Friend}")
            .ToList();

        Assert.True(stale.Count == 0, "InternalsVisibleTo names projects that do not exist:\n" + string.Join('\n', stale));
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    [GeneratedRegex(@"\bRoost(\.\w+)*\.Internal\b")]
    private static partial Regex InternalNamespace();
}
