using System.Text;
using System.Text.RegularExpressions;

namespace Roost.Packaging.Tests;

/// <summary>
/// Every package's README example compiles, warnings as errors, in a project outside the repository that took all
/// three library packages from the packed folder: the examples a user copies first are real, and Roost.Cluster and
/// Roost.SharedState install with their dependencies as Roost.Server does.
/// </summary>
public sealed partial class ReadmeExampleTests(PackagesFixture packages)
{
    [Fact]
    public async Task EveryPackageReadmeExampleCompilesAgainstThePackages()
    {
        using var project = await ConsumerProject.CreateAsync(packages.Folder, "ReadmeExamples");
        foreach (var id in PackagesFixture.Libraries)
        {
            await project.AddPackageAsync(id, packages.Version);
            project.AssertRestoredFrom(id, packages.Version, packages.PackagePath(id));

            var readme = packages.Readme(id);
            var example = Assert.Single(CSharpBlock().Matches(readme)).Groups["code"].Value;
            File.WriteAllText(Path.Combine(project.Folder, id.Replace(".", string.Empty, StringComparison.Ordinal) + "Example.cs"),
                AsMethod(id.Replace(".", string.Empty, StringComparison.Ordinal) + "Example", example));
        }

        // Only compiled: the examples listen on fixed ports and fork workers, which is not this test's business.
        File.WriteAllText(Path.Combine(project.Folder, "Program.cs"), "System.Console.WriteLine(\"compiled\");\n");
        // NU1603 stays a warning: Roost.Cluster's prometheus-net asks for Microsoft.Extensions.Http >= 3.1.0, which the package
        // feed CI restores from does not serve, so the next version is taken (the same exception as Directory.Build.props).
        await project.BuildAsync("-p:TreatWarningsAsErrors=true", "-p:WarningsNotAsErrors=NU1603");
    }

    /// <summary>Turns a top-level-statements example into a static method (its usings stay at the file's top).</summary>
    private static string AsMethod(string className, string example)
    {
        var lines = example.Split('\n');
        var usings = lines.Where(l => l.StartsWith("using ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';')).ToList();
        var body = lines.Where(l => !usings.Contains(l));
        var returns = example.Contains("return ", StringComparison.Ordinal);
        var code = new StringBuilder();
        foreach (var line in usings)
        {
            code.AppendLine(line);
        }

        code.AppendLine($"internal static class {className}");
        code.AppendLine("{");
        code.AppendLine($"    public static async System.Threading.Tasks.Task{(returns ? "<int>" : string.Empty)} RunAsync()");
        code.AppendLine("    {");
        foreach (var line in body)
        {
            code.AppendLine("        " + line);
        }

        code.AppendLine("    }");
        code.AppendLine("}");
        return code.ToString();
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
