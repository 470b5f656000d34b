using System.Globalization;

namespace Roost.Abuse;

/// <summary>CPU time and resident memory of a process and all its descendants, read from /proc.</summary>
public static class ProcessTree
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux architecture .NET runs on

    /// <summary>The root and its descendants, found through /proc/&lt;pid&gt;/task/*/children.</summary>
    public static IReadOnlyList<int> Pids(int root)
    {
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            if (!Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            result.Add(pid);
            try
            {
                foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
                {
                    var children = File.ReadAllText(Path.Combine(task, "children"));
                    foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        queue.Enqueue(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (IOException)
            {
                // The process exited while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return result;
    }

    /// <summary>utime + stime of one process, seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>VmRSS of one process, kilobytes (0 when it is gone).</summary>
    public static long RssKilobytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
        }

        return 0;
    }

    public static double CpuSecondsOfTree(int root) => Pids(root).Sum(CpuSeconds);

    public static long RssKilobytesOfTree(int root) => Pids(root).Sum(RssKilobytes);
}
