using System.Globalization;

namespace Roost.Chaos;

/// <summary>Which client connections a worker holds, and a process's open file count, read from /proc (Linux).</summary>
public static class WorkerSockets
{
    /// <summary>
    /// The remote ports of the established TCP connections that <paramref name="pid"/> holds on local port
    /// <paramref name="serverPort"/> (the client ports of the connections the worker serves). Read from
    /// /proc/&lt;pid&gt;/fd (socket inodes) and /proc/net/tcp and tcp6 (inode → ports, state).
    /// </summary>
    public static HashSet<int> ClientPorts(int pid, int serverPort)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != "01" || !inodes.Contains(fields[9]))
                {
                    continue;
                }

                if (Port(fields[1]) == serverPort)
                {
                    ports.Add(Port(fields[2]));
                }
            }
        }

        return ports;

        static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>How many file descriptors <paramref name="pid"/> has open, or -1 when it is gone.</summary>
    public static int OpenFiles(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>The process's start time in clock ticks since boot (/proc/&lt;pid&gt;/stat field 22), or -1 when it is gone: tells a pid's reuse apart.</summary>
    public static long StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }
}
