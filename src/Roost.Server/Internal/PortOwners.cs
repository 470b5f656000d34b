using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Roost.Server.Internal;

/// <summary>
/// Finds which process listens on a TCP port, for bind errors that name it (issue 13, item 6): the LISTEN sockets of
/// <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> give the socket inodes, and <c>/proc/&lt;pid&gt;/fd</c> links
/// (<c>socket:[inode]</c>) give the processes holding them. Best effort and Linux only: another user's processes are
/// visible to root only, and a process may exit meanwhile; <see langword="null"/> then.
/// </summary>
internal static class PortOwners
{
    // TCP_LISTEN in the kernel's tcp_states.h, as /proc/net/tcp prints it.
    private const string ListenState = "0A";

    // Long command lines (a full classpath, many flags) are cut: the message needs the program and its first arguments.
    private const int MaxCommandLength = 200;

    /// <summary>A process that holds a listening socket: its pid and command line (arguments joined by spaces).</summary>
    public sealed record Owner(int Pid, string Command);

    /// <summary>
    /// Returns the process listening on <paramref name="endPoint"/>'s port at an address that overlaps it (the same
    /// address, or either side a wildcard), or <see langword="null"/> when none can be seen. When several processes
    /// hold the socket (a primary and the workers that inherited it), the one whose parent is not among them is named.
    /// </summary>
    public static Owner? Find(IPEndPoint endPoint)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var inodes = ListeningInodes(endPoint);
            if (inodes.Count == 0)
            {
                return null;
            }

            var holders = Holders(inodes);
            var pid = holders.FirstOrDefault(p => !holders.Contains(ParentOf(p)), holders.FirstOrDefault());
            return pid == 0 ? null : new Owner(pid, CommandOf(pid));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // /proc changed under us or is not readable: the error message just goes without the owner.
            return null;
        }
    }

    private static HashSet<string> ListeningInodes(IPEndPoint endPoint)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != ListenState)
                {
                    continue;
                }

                var (address, port) = ParseAddress(fields[1]);
                if (port == endPoint.Port && Overlaps(address, endPoint.Address) && fields[9] != "0")
                {
                    inodes.Add(fields[9]);
                }
            }
        }

        return inodes;
    }

    /// <summary>Parses <c>0100007F:1F90</c> (IPv4) or 32 hex digits + port (IPv6): each 32-bit word in host (little-endian) order.</summary>
    internal static (IPAddress Address, int Port) ParseAddress(string field)
    {
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        var hex = field[..colon];
        var port = int.Parse(field[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var bytes = Convert.FromHexString(hex);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        return (new IPAddress(bytes), port);
    }

    private static bool Overlaps(IPAddress listening, IPAddress requested)
    {
        var a = listening.IsIPv4MappedToIPv6 ? listening.MapToIPv4() : listening;
        var b = requested.IsIPv4MappedToIPv6 ? requested.MapToIPv4() : requested;
        return IsAny(a) || IsAny(b) || a.Equals(b);
    }

    private static bool IsAny(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static List<int> Holders(HashSet<string> inodes)
    {
        var targets = inodes.Select(i => $"socket:[{i}]").ToHashSet(StringComparer.Ordinal);
        var holders = new List<int>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && targets.Contains(target))
                    {
                        holders.Add(pid);
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's process (not readable unless root), or one that just exited.
            }
        }

        holders.Sort();
        return holders;
    }

    private static int ParentOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : 0;
    }

    private static string CommandOf(int pid)
    {
        try
        {
            var command = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).TrimEnd('\0').Replace('\0', ' ');
            return command.Length > MaxCommandLength ? command[..MaxCommandLength] + "…" : command;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
