using Roost.Testing;

namespace Roost.Fuzz.Tests;

/// <summary>The committed fuzz inputs: seed corpus (fuzz/corpus/&lt;target&gt;) and crash regressions (fuzz/regressions/&lt;target&gt;).</summary>
internal static class FuzzFiles
{
    public static string Corpus(string target) => RepoPaths.Combine("fuzz", "corpus", target);

    public static string Regressions(string target) => RepoPaths.Combine("fuzz", "regressions", target);

    /// <summary>Every file in one target's folder, as (target, file name relative to fuzz/).</summary>
    public static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal) : [];

    /// <summary>The seed inputs of a target without their leading control byte (the targets' byte 0).</summary>
    public static IReadOnlyList<byte[]> SeedPayloads(string target) =>
        [.. Files(Corpus(target)).Select(File.ReadAllBytes).Where(b => b.Length > 1).Select(b => b[1..])];
}
