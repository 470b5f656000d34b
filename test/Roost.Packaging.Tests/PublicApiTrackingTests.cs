using System.Text.Json;
using System.Xml.Linq;
using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// Every library's public surface stays tracked (docs/packages.md#public-api): the PublicAPI files exist, track
/// nullability, reach the analyzer, and its diagnostics stay errors — nothing in the build configuration downgrades them.
/// </summary>
public sealed class PublicApiTrackingTests
{
    private static readonly string[] TrackingRules = ["RS0016", "RS0017", "RS0036", "RS0037"];

    /// <summary>Every project under src/ except the roost executable.</summary>
    public static TheoryData<string> SourceLibraries() => [.. LibraryNames()];

    [Fact]
    public void TheLibrariesAreTheOnesExpected() =>
        Assert.Equal(["Roost.Cluster", "Roost.Server", "Roost.SharedState", "Roost.StartupHook"], LibraryNames());

    [Theory]
    [MemberData(nameof(SourceLibraries))]
    public async Task PublicApiFilesAreTrackedAndTheirRulesAreErrors(string library)
    {
        var folder = RepoPaths.Combine("src", library);
        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            var path = Path.Combine(folder, file);
            Assert.True(File.Exists(path), $"{path} is missing; run scripts/public-api.sh.");
            Assert.Equal("#nullable enable", File.ReadLines(path).FirstOrDefault());
        }

        var output = await DotnetCommand.RunAsync(
            ["msbuild", Path.Combine(folder, library + ".csproj"), "-nologo",
             "-getProperty:TreatWarningsAsErrors", "-getProperty:WarningsNotAsErrors", "-getProperty:NoWarn",
             "-getProperty:CodeAnalysisTreatWarningsAsErrors", "-getItem:AdditionalFiles"],
            RepoPaths.Root, TimeSpan.FromMinutes(2));
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal("true", properties.GetProperty("TreatWarningsAsErrors").GetString());
        Assert.NotEqual("false", properties.GetProperty("CodeAnalysisTreatWarningsAsErrors").GetString());
        foreach (var name in new[] { "WarningsNotAsErrors", "NoWarn" })
        {
            var value = properties.GetProperty(name).GetString() ?? string.Empty;
            Assert.DoesNotContain(TrackingRules, rule => value.Contains(rule, StringComparison.OrdinalIgnoreCase));
        }

        var additionalFiles = json.RootElement.GetProperty("Items").GetProperty("AdditionalFiles").EnumerateArray()
            .Select(item => item.GetProperty("FullPath").GetString()).ToList();
        Assert.Contains(Path.Combine(folder, "PublicAPI.Shipped.txt"), additionalFiles);
        Assert.Contains(Path.Combine(folder, "PublicAPI.Unshipped.txt"), additionalFiles);
    }

    private static List<string> LibraryNames() =>
        [.. Directory.GetFiles(RepoPaths.Combine("src"), "*.csproj", SearchOption.AllDirectories)
            .Where(project => !string.Equals(
                XDocument.Load(project).Descendants("OutputType").Select(e => e.Value).FirstOrDefault(), "Exe", StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFileNameWithoutExtension)
            .Cast<string>()
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void NoEditorConfigChangesTheSeverityOfTheTrackingRules()
    {
        var configs = Directory.GetFiles(RepoPaths.Root, ".editorconfig", SearchOption.TopDirectoryOnly)
            .Concat(Directory.GetFiles(RepoPaths.Combine("src"), "*.editorconfig", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(RepoPaths.Combine("src"), "*.globalconfig", SearchOption.AllDirectories));
        foreach (var config in configs)
        {
            var lines = File.ReadAllLines(config)
                .Where(line => TrackingRules.Any(rule => line.Contains($"dotnet_diagnostic.{rule}.", StringComparison.OrdinalIgnoreCase)))
                .ToList();
            Assert.True(lines.Count == 0, $"{config} changes the public API rules: {string.Join(" | ", lines)}");
        }
    }
}
