namespace Roost.Testing;

/// <summary>Paths inside the repository, found by walking up from the test binaries to <c>Roost.slnx</c>.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Roost.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Roost.slnx not found above '{AppContext.BaseDirectory}'.");
    });

    public static string Root => RootPath.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The build configuration the tests were built in (Debug or Release), read from the output path.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built dll of a project under src/, samples/, test/ or benchmarks/ (built by the solution build).</summary>
    public static string ProjectDll(string folder, string project, string? assemblyName = null) =>
        Combine(folder, project, "bin", Configuration, "net10.0", (assemblyName ?? project) + ".dll");
}
