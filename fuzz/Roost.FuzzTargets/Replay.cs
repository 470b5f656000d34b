namespace Roost.FuzzTargets;

/// <summary>Runs saved inputs (a corpus, AFL++'s crashes) through a target and prints each failure with its input.</summary>
public static class Replay
{
    public static int Run(FuzzTarget target, IEnumerable<string> paths)
    {
        var files = paths
            .SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p])
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "README.txt")
            .Order(StringComparer.Ordinal)
            .ToList();
        var failed = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            try
            {
                target.Run(input);
            }
            catch (Exception ex)
            {
                // Anything that escapes a target is a finding: print it with the input, then go on with the next file.
                failed++;
                Console.Error.WriteLine($"FAIL {target.Name} {file} ({input.Length} bytes): {ex}");
                Console.Error.WriteLine($"  input (base64): {Convert.ToBase64String(input)}");
            }
        }

        Console.WriteLine($"{target.Name}: {files.Count} inputs replayed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
