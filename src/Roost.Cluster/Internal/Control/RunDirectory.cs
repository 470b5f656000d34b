using System.Text.RegularExpressions;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Control;

/// <summary>
/// Where a primary's control socket lives: <c>&lt;base&gt;/&lt;name&gt;/control.sock</c>. The base is <c>/run/roost</c>
/// for root, else <c>$XDG_RUNTIME_DIR/roost</c> (a per-user tmpfs, emptied at logout/reboot, as systemd intends), else
/// <c>~/.local/state/roost</c>. Directories are 0700, the socket 0600. Documented in docs/cli.md.
/// </summary>
internal static partial class RunDirectory
{
    public const string SocketFileName = "control.sock";

    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Gets the directory that holds one folder per named instance.</summary>
    public static string BaseDirectory
    {
        get
        {
            if (Libc.GetEffectiveUserId() == 0)
            {
                return "/run/roost";
            }

            var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (!string.IsNullOrEmpty(runtime) && Directory.Exists(runtime))
            {
                return Path.Combine(runtime, "roost");
            }

            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "roost");
        }
    }

    /// <summary>Returns the instance directory: <paramref name="runDirectory"/> when given, else the base directory + <paramref name="name"/>.</summary>
    public static string Resolve(string? name, string? runDirectory) =>
        runDirectory is { Length: > 0 } ? Path.GetFullPath(runDirectory) : Path.Combine(BaseDirectory, name ?? throw new ArgumentNullException(nameof(name)));

    /// <summary>Returns the socket path in an instance directory.</summary>
    public static string SocketPath(string directory) => Path.Combine(directory, SocketFileName);

    /// <summary>Returns whether <paramref name="name"/> can be a folder name (letters, digits, '.', '_', '-'; not '.' or '..').</summary>
    public static bool IsValidName(string name) => name is not ("." or "..") && NamePattern().IsMatch(name);

    /// <summary>Lists the instance directories under the base directory that hold a control socket.</summary>
    public static IReadOnlyList<string> ListInstances(string? baseDirectory = null)
    {
        var root = baseDirectory ?? BaseDirectory;
        if (!Directory.Exists(root))
        {
            return [];
        }

        try
        {
            return [.. Directory.EnumerateDirectories(root).Where(d => File.Exists(SocketPath(d))).Order(StringComparer.Ordinal)];
        }
        catch (UnauthorizedAccessException)
        {
            // Another user's base directory: nothing of ours is in it.
            return [];
        }
    }

    /// <summary>Creates <paramref name="directory"/> (and its parent) as 0700, or checks an existing one is ours and private.</summary>
    /// <exception cref="InvalidOperationException">It belongs to another user, or cannot be created.</exception>
    public static void EnsurePrivate(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The control socket needs Linux.");
        }

        var parent = Path.GetDirectoryName(directory);
        if (parent is not null && !Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent, PrivateDirectory);
        }

        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, PrivateDirectory);
        }

        var info = new DirectoryInfo(directory);
        var owner = Owner(directory);
        if (owner != Libc.GetEffectiveUserId())
        {
            throw new InvalidOperationException(ClusterErrorMessages.ControlDirectoryNotPrivate(directory, Convert.ToString((int)info.UnixFileMode, 8), (int)owner));
        }

        if (info.UnixFileMode != PrivateDirectory)
        {
            File.SetUnixFileMode(directory, PrivateDirectory);
        }
    }

    private static uint Owner(string path)
    {
        var stat = Libc.StatOwner(path);
        return stat;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex NamePattern();
}
