using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>What each library package carries: metadata, README, XML docs, dependencies, symbols with sources.</summary>
public sealed class PackageContentsTests(PackagesFixture packages)
{
    /// <summary>The GUID of the portable PDB "embedded source" custom debug information.</summary>
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    public static TheoryData<string> Libraries() => [.. PackagesFixture.Libraries];

    [Fact]
    public void EveryPackageHasTheRepositoryVersion()
    {
        var props = XDocument.Load(RepoPaths.Combine("Directory.Build.props"));
        var prefixes = props.Descendants("VersionPrefix").Select(e => e.Value.Trim()).ToList();
        var prefix = Assert.Single(prefixes);
        Assert.Matches(@"^\d+\.\d+\.\d+$", prefix);
        Assert.StartsWith(prefix, packages.Version, StringComparison.Ordinal);
        foreach (var id in PackagesFixture.Libraries)
        {
            Assert.Equal(packages.Version, Metadata(id, "version"));
        }
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void MetadataReadmeLicenseAndDocs(string id)
    {
        Assert.Equal(id, Metadata(id, "id"));
        Assert.Equal("The Roost authors", Metadata(id, "authors"));
        var license = packages.Nuspec(id).Descendants().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.True(Metadata(id, "description").Length >= 80, $"{id}: the description is too short to tell what the package is.");
        Assert.Contains("roost", Metadata(id, "tags").Split(' '));
        Assert.Equal("README.md", Metadata(id, "readme"));

        using var archive = ZipFile.OpenRead(packages.PackagePath(id));
        var readme = ReadEntry(archive, "README.md");
        Assert.Contains($"dotnet add package {id}", readme, StringComparison.Ordinal);
        Assert.Contains("```csharp", readme, StringComparison.Ordinal);
        Assert.Contains("docs/", readme, StringComparison.Ordinal);

        var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        var docs = XDocument.Parse(ReadEntry(archive, $"lib/net10.0/{id}.xml"));
        Assert.True(docs.Descendants("member").Count() > 10, $"{id}: the XML documentation file has almost no members.");
        // Symbols go to the .snupkg, not into the main package.
        Assert.DoesNotContain($"lib/net10.0/{id}.pdb", entries);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void DependsOnTheFrameworkAndOnRoostPackagesOfTheSameVersion(string id)
    {
        var nuspec = packages.Nuspec(id);
        var frameworkReferences = nuspec.Descendants().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => e.Attribute("name")?.Value).ToList();
        Assert.Contains("Microsoft.AspNetCore.App", frameworkReferences);

        var roostDependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Where(e => e.Attribute("id")!.Value.StartsWith("Roost.", StringComparison.Ordinal))
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        string[] expected = id switch
        {
            "Roost.Server" => [],
            "Roost.Cluster" => ["Roost.Server"],
            "Roost.SharedState" => ["Roost.Server", "Roost.Cluster"],
            _ => throw new InvalidOperationException(id),
        };
        Assert.Equal(expected.Order(), roostDependencies.Keys.Order());
        foreach (var version in roostDependencies.Values)
        {
            Assert.Equal(packages.Version, version);
        }
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void SymbolsPackageHasTheMatchingPdbWithEverySourceEmbedded(string id)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        using var symbols = ZipFile.OpenRead(packages.SymbolPackagePath(id));
        using var dll = CopyEntry(package, $"lib/net10.0/{id}.dll");
        using var pdb = CopyEntry(symbols, $"lib/net10.0/{id}.pdb");

        using var pe = new PEReader(dll);
        var debugEntries = pe.ReadDebugDirectory();
        // Deterministic builds mark the binary reproducible (its id is a hash of its content, not a time stamp).
        Assert.Contains(debugEntries, e => e.Type == DebugDirectoryEntryType.Reproducible);
        var codeView = pe.ReadCodeViewDebugDirectoryData(debugEntries.Single(e => e.Type == DebugDirectoryEntryType.CodeView));

        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var pdbId = new BlobContentId(reader.DebugMetadataHeader!.Id);
        Assert.Equal(codeView.Guid, pdbId.Guid);

        var embedded = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == EmbeddedSourceKind && c.Parent.Kind == HandleKind.Document)
            .Select(c => (DocumentHandle)c.Parent)
            .ToHashSet();
        var sources = reader.Documents.Where(d => reader.GetString(reader.GetDocument(d).Name).EndsWith(".cs", StringComparison.Ordinal)).ToList();
        Assert.True(sources.Count > 5, $"{id}: the PDB lists only {sources.Count} C# documents.");
        var missing = sources.Where(d => !embedded.Contains(d)).Select(d => reader.GetString(reader.GetDocument(d).Name)).ToList();
        Assert.True(missing.Count == 0, $"{id}: sources not embedded in the PDB: {string.Join(", ", missing)}");
    }

    private string Metadata(string id, string name) =>
        packages.Nuspec(id).Descendants().Single(e => e.Name.LocalName == name && e.Parent?.Name.LocalName == "metadata").Value;

    private static string ReadEntry(ZipArchive archive, string name)
    {
        var entry = archive.GetEntry(name) ?? throw new InvalidOperationException($"'{name}' is not in the package.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static MemoryStream CopyEntry(ZipArchive archive, string name)
    {
        var entry = archive.GetEntry(name) ?? throw new InvalidOperationException($"'{name}' is not in the package.");
        var copy = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        return copy;
    }
}
