using System.IO.Compression;
using System.Xml.Linq;
using Roost.Packaging.Tests;
using Roost.Testing;

[assembly: AssemblyFixture(typeof(PackagesFixture))]

namespace Roost.Packaging.Tests;

/// <summary>
/// The library packages, packed once per test run into a temporary folder (deleted at the end), as
/// <c>dotnet pack Roost.slnx -c Release -o artifacts/packages</c> makes them. The libraries are packed from the build
/// the tests were built with (this project references them), so no second build runs. Other packages (the roost
/// tool) can be packed into the same <see cref="Folder"/> with <see cref="PackAsync"/>.
/// </summary>
public sealed class PackagesFixture : IAsyncLifetime
{
    /// <summary>The library packages a consumer adds with <c>dotnet add package</c>.</summary>
    public static readonly IReadOnlyList<string> Libraries = ["Roost.Server", "Roost.Cluster", "Roost.SharedState"];

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    private readonly TempDirectory _directory = new("roost-packages");

    /// <summary>The folder holding the <c>.nupkg</c> and <c>.snupkg</c> files: the only source of Roost packages.</summary>
    public string Folder => _directory.Path;

    /// <summary>The version every package was packed with (the repository's one version).</summary>
    public string Version { get; private set; } = string.Empty;

    public string PackagePath(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(Folder, $"{id}.{Version}.snupkg");

    /// <summary>
    /// Packs the project in <paramref name="projectFolder"/> (relative to the repository root, e.g. <c>src/Roost.Cli</c>)
    /// into <see cref="Folder"/>, in the tests' build configuration, with <paramref name="extraArguments"/>.
    /// </summary>
    public Task<string> PackAsync(string projectFolder, params string[] extraArguments) =>
        DotnetCommand.RunAsync(
            ["pack", RepoPaths.Combine(projectFolder), "-c", RepoPaths.Configuration, "-o", Folder, "-nodeReuse:false", .. extraArguments],
            RepoPaths.Root, PackTimeout);

    /// <summary>The <c>.nuspec</c> inside a package.</summary>
    public XDocument Nuspec(string id)
    {
        using var archive = ZipFile.OpenRead(PackagePath(id));
        var entry = archive.Entries.Single(e => e.FullName == id + ".nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    /// <summary>The README.md inside a package, as package galleries and the IDEs show it.</summary>
    public string Readme(string id)
    {
        using var archive = ZipFile.OpenRead(PackagePath(id));
        using var reader = new StreamReader(archive.GetEntry("README.md")?.Open()
            ?? throw new InvalidOperationException($"{PackagePath(id)} has no README.md."));
        return reader.ReadToEnd();
    }

    public async ValueTask InitializeAsync()
    {
        foreach (var library in Libraries)
        {
            await PackAsync(Path.Combine("src", library), "--no-build");
        }

        // The version is read back from what pack wrote, not assumed.
        var packed = Directory.GetFiles(Folder, "Roost.Server.*.nupkg");
        Assert.True(packed.Length == 1, $"Expected one Roost.Server package in {Folder}, found: {string.Join(", ", packed)}");
        Version = Path.GetFileNameWithoutExtension(packed[0])["Roost.Server.".Length..];
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
