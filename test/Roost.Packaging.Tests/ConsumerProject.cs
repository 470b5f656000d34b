using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// A folder outside the repository where a user's project is made with the SDK's own commands. Its
/// <c>nuget.config</c> makes the packed folder the only source of <c>Roost.*</c> packages (package source mapping)
/// and keeps the machine's configured feeds for everything else; its own global-packages folder means a Roost package
/// of the same version restored earlier (from another build) can never stand in for the one just packed.
/// </summary>
public sealed partial class ConsumerProject : IDisposable
{
    public const string LocalSourceName = "roost-packages";

    private static readonly TimeSpan NewTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private readonly TempDirectory _root;
    private readonly Dictionary<string, string?> _environment;

    private ConsumerProject(TempDirectory root, string name)
    {
        _root = root;
        Name = name;
        Folder = Path.Combine(root.Path, name);
        GlobalPackagesFolder = Path.Combine(root.Path, "nuget-packages");
        _environment = new(StringComparer.Ordinal) { ["NUGET_PACKAGES"] = GlobalPackagesFolder };
    }

    /// <summary>The project's name (its assembly name).</summary>
    public string Name { get; }

    /// <summary>The project folder (<c>dotnet new console --output</c>).</summary>
    public string Folder { get; }

    /// <summary>Where this project's restores put packages (<c>NUGET_PACKAGES</c>).</summary>
    public string GlobalPackagesFolder { get; }

    /// <summary>The temporary folder holding the nuget.config, the project and its packages.</summary>
    public string Root => _root.Path;

    /// <summary>The environment the project's <c>dotnet</c> commands run with.</summary>
    public IReadOnlyDictionary<string, string?> Environment => _environment;

    /// <summary>Writes the nuget.config and runs <c>dotnet new console</c> in a fresh folder outside the repository.</summary>
    public static async Task<ConsumerProject> CreateAsync(string packagesFolder, string name = "RoostConsumer")
    {
        var root = new TempDirectory("roost-consumer");
        try
        {
            var repository = Path.TrimEndingDirectorySeparator(RepoPaths.Root) + Path.DirectorySeparatorChar;
            Assert.False(root.Path.StartsWith(repository, StringComparison.Ordinal),
                $"The consumer folder {root.Path} must be outside the repository ({repository}).");
            var project = new ConsumerProject(root, name);
            await project.WriteNuGetConfigAsync(packagesFolder);
            await DotnetCommand.RunAsync(["new", "console", "--name", name, "--output", project.Folder], root.Path, NewTimeout, project.Environment);
            return project;
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary><c>dotnet add package <paramref name="id"/> --version <paramref name="version"/></c>, run in the project folder.</summary>
    public Task<string> AddPackageAsync(string id, string version) =>
        DotnetCommand.RunAsync(["add", "package", id, "--version", version], Folder, RestoreTimeout, Environment);

    /// <summary><c>dotnet build -c Release</c> (plus <paramref name="extraArguments"/>); returns the built program's dll.</summary>
    public async Task<string> BuildAsync(params string[] extraArguments)
    {
        await DotnetCommand.RunAsync(["build", "-c", "Release", "-nodeReuse:false", .. extraArguments], Folder, BuildTimeout, Environment);
        var dll = Path.Combine(Folder, "bin", "Release", "net10.0", Name + ".dll");
        Assert.True(File.Exists(dll), $"dotnet build succeeded but {dll} is not there.");
        return dll;
    }

    /// <summary>
    /// Asserts that the restored package <paramref name="id"/> is byte for byte the <paramref name="nupkg"/> that was
    /// packed (NuGet keeps the SHA-512 of the package it extracted).
    /// </summary>
    public void AssertRestoredFrom(string id, string version, string nupkg)
    {
        var folder = Path.Combine(GlobalPackagesFolder, id.ToLowerInvariant(), version.ToLowerInvariant());
        var hashFile = Path.Combine(folder, $"{id.ToLowerInvariant()}.{version.ToLowerInvariant()}.nupkg.sha512");
        Assert.True(File.Exists(hashFile), $"{id} {version} was not restored into {folder}.");
        using var stream = File.OpenRead(nupkg);
        Assert.Equal(Convert.ToBase64String(SHA512.HashData(stream)), File.ReadAllText(hashFile).Trim());
    }

    public void Dispose() => _root.Dispose();

    private async Task WriteNuGetConfigAsync(string packagesFolder)
    {
        // First only the local source: `dotnet nuget list source` then shows it and every feed the machine's own
        // configuration adds (user and machine-wide nuget.config files), which stay the source of everything else.
        var configPath = Path.Combine(Root, "nuget.config");
        File.WriteAllText(configPath, Config(packagesFolder, []));
        var list = await DotnetCommand.RunAsync(["nuget", "list", "source", "--format", "Detailed"], Root, NewTimeout, Environment);
        var others = SourceLine().Matches(list)
            .Where(m => m.Groups["state"].Value == "Enabled")
            .Select(m => m.Groups["name"].Value)
            .Where(n => n != LocalSourceName)
            .ToList();
        File.WriteAllText(configPath, Config(packagesFolder, others));
    }

    private static string Config(string packagesFolder, IReadOnlyList<string> otherSources)
    {
        var configuration = new XElement("configuration",
            new XElement("packageSources",
                new XElement("add", new XAttribute("key", LocalSourceName), new XAttribute("value", packagesFolder))));
        if (otherSources.Count > 0)
        {
            // The most specific pattern wins: Roost.* only from the packed folder, the rest from the usual feeds.
            configuration.Add(new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", LocalSourceName),
                    new XElement("package", new XAttribute("pattern", "Roost.*"))),
                otherSources.Select(source => new XElement("packageSource", new XAttribute("key", source),
                    new XElement("package", new XAttribute("pattern", "*"))))));
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), configuration).ToString();
    }

    // "  1.  my-feed [Enabled]" in `dotnet nuget list source --format Detailed`.
    [GeneratedRegex(@"^\s*\d+\.\s+(?<name>.+?)\s+\[(?<state>Enabled|Disabled)\]\s*$", RegexOptions.Multiline)]
    private static partial Regex SourceLine();
}
