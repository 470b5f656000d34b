using System.Globalization;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Reads a process's resident set size from <c>/proc</c> (Linux).</summary>
internal static class ProcessMemory
{
    /// <summary>Returns the resident set size of <paramref name="pid"/> in bytes, or <see langword="null"/> when it cannot be read (the process is gone, or no /proc).</summary>
    /// <param name="pid">The process id.</param>
    /// <returns>Bytes, or null.</returns>
    public static long? ReadRssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                // "VmRSS:     51234 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line.AsSpan(6).Trim();
                    var space = parts.IndexOf(' ');
                    var number = space < 0 ? parts : parts[..space];
                    return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
