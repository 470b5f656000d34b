using System.Globalization;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>Reads a process's CPU time from <c>/proc/&lt;pid&gt;/stat</c> (Linux).</summary>
internal static class ProcessCpu
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on
    // (the kernel exports it as a constant to user space, independent of CONFIG_HZ).
    private const double TicksPerSecond = 100;

    /// <summary>Returns user + system CPU seconds of <paramref name="pid"/>, or <see langword="null"/> when it cannot be read.</summary>
    public static double? ReadSeconds(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process is gone (or no /proc): no sample.
            return null;
        }

        return Parse(text);
    }

    /// <summary>Parses a stat line: fields 14 and 15 (utime, stime) counted after the command name, which may hold spaces and parentheses.</summary>
    public static double? Parse(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        // After ") " come field 3 (state) onwards: utime is field 14, stime field 15 → indexes 11 and 12 here.
        var fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }

        return (user + system) / TicksPerSecond;
    }
}
