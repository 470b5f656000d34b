using System.Globalization;
using System.Runtime.InteropServices;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Privileges;

/// <summary>
/// Whether a <see cref="WorkerUser"/> can reach and read a path, from the mode bits, owner and group of the path and
/// of every folder above it — checked by the primary (root) before it starts workers as that user, so that "cannot
/// read the app" is one clear message and not a worker that dies at start. ACLs and capabilities are not looked at:
/// the check can only refuse what the mode bits refuse (a path an ACL opens still passes when the bits allow it).
/// </summary>
internal static class FileAccessCheck
{
    private const int Read = 4;
    private const int Write = 2;
    private const int Search = 1;

    /// <summary>Returns <see langword="null"/> when <paramref name="user"/> can reach <paramref name="path"/> and read it (a folder: list and enter it); otherwise why not.</summary>
    public static string? CannotRead(string path, WorkerUser user, bool folder) => Check(path, user, folder ? Read | Search : Read);

    /// <summary>Returns <see langword="null"/> when <paramref name="user"/> can reach the folder <paramref name="path"/> and enter it; otherwise why not.</summary>
    public static string? CannotEnter(string path, WorkerUser user) => Check(path, user, Search);

    /// <summary>Returns <see langword="null"/> when <paramref name="user"/> can create files in the folder <paramref name="path"/>; otherwise why not.</summary>
    public static string? CannotWrite(string path, WorkerUser user) => Check(path, user, Write | Search);

    private static string? Check(string path, WorkerUser user, int wanted)
    {
        if (user.Uid == 0)
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        var current = "/";
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Denied(current, user, Search) is { } folder)
            {
                return folder;
            }

            current = current == "/" ? "/" + part : current + "/" + part;
        }

        return Denied(current, user, wanted);
    }

    private static unsafe string? Denied(string path, WorkerUser user, int wanted)
    {
        var buffer = stackalloc byte[256];
        try
        {
            if (Libc.Statx(Libc.AtFdCwd, path, 0, Libc.StatxBasicStats, buffer) != 0)
            {
                // Missing or unreachable: the caller's own existence checks report that; nothing to add here.
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without statx (musl before 1.2.5): no pre-check, the kernel still decides at start.
            return null;
        }

        var owner = *(uint*)(buffer + 20);
        var group = *(uint*)(buffer + 24);
        var mode = *(ushort*)(buffer + 28) & 0xfff;
        var bits = owner == user.Uid ? (mode >> 6) & 7 : user.Groups.Contains(group) || group == user.Gid ? (mode >> 3) & 7 : mode & 7;
        if ((bits & wanted) == wanted || HasAccessControlList(path))
        {
            // With an ACL the mode bits do not tell (the group bits are the ACL's mask): leave it to the kernel.
            return null;
        }

        var what = wanted == Search ? "enter" : (wanted & Write) != 0 ? "write to" : (wanted & Search) != 0 ? "list" : "read";
        return string.Create(CultureInfo.InvariantCulture, $"user '{user.Name}' cannot {what} '{path}' (mode {Convert.ToString(mode, 8).PadLeft(4, '0')}, owner uid {owner}, group gid {group})");
    }

    private static unsafe bool HasAccessControlList(string path)
    {
        try
        {
            return Libc.GetExtendedAttribute(path, "system.posix_acl_access", null, 0) > 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Hands <paramref name="path"/> to <paramref name="user"/> (lchown uid:gid: a symbolic link itself, never what it points to), for folders the workers must write to.</summary>
    /// <exception cref="IOException">chown failed.</exception>
    public static void GiveTo(string path, WorkerUser user)
    {
        if (Libc.Chown(path, user.Uid, user.Gid) != 0)
        {
            throw new IOException($"chown {user.Uid}:{user.Gid} '{path}' failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }
}
