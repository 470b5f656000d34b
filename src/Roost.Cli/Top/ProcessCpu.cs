using System.Globalization;

namespace Roost.Cli.Top;

/// <summary>
/// A process's CPU time from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime), for CPU % between two samples. <c>roost top</c>
/// runs on the primary's machine (the control socket is a local unix socket), so it reads the workers' times itself.
/// </summary>
internal static class ProcessCpu
{
    // USER_HZ: the unit of utime/stime. It is 100 on every Linux architecture .NET runs on (the kernel's ABI fixes it
    // independently of CONFIG_HZ), which is why procps also assumes it when sysconf is not consulted.
    private const double TicksPerSecond = 100;

    /// <summary>Seconds of CPU the process has used (user + system), or <see langword="null"/> when it is gone or unreadable.</summary>
    public static double? ReadSeconds(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited between the status and this read, or not ours to read: no CPU figure for it.
            return null;
        }

        return Parse(text);
    }

    /// <summary>Parses a stat line: fields after the command name (which may hold spaces and parentheses) start at its last ')'.</summary>
    internal static double? Parse(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        // After ") ": state(3) ppid(4) ... utime(14) stime(15): index 0 here is field 3.
        var fields = stat[(end + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }

        return (user + system) / TicksPerSecond;
    }
}
