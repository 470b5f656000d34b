using System.Runtime.InteropServices;

namespace Roost.Clustering.Internal.Interop;

/// <summary>
/// The user database and file metadata calls of <c>--user</c> (WorkerUser, FileAccessCheck): getpwnam_r/getpwuid_r,
/// getgrgid_r/getgrnam_r, getgrouplist, statx. The structs use the 64-bit Linux layout (glibc and musl agree on it).
/// </summary>
internal static unsafe partial class Libc
{
    public const int Erange = 34;
    public const int AtFdCwd = -100;
    public const uint StatxBasicStats = 0x7ff;

    /// <summary>struct passwd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Directory;
        public byte* Shell;
    }

    /// <summary>struct group.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Group
    {
        public byte* Name;
        public byte* Password;
        public uint Gid;
        public byte** Members;
    }

    [LibraryImport("libc", EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetPasswordByName(string name, Passwd* entry, byte* buffer, nuint length, Passwd** result);

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    public static partial int GetPasswordByUid(uint uid, Passwd* entry, byte* buffer, nuint length, Passwd** result);

    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetGroupByName(string name, Group* entry, byte* buffer, nuint length, Group** result);

    [LibraryImport("libc", EntryPoint = "getgrgid_r")]
    public static partial int GetGroupByGid(uint gid, Group* entry, byte* buffer, nuint length, Group** result);

    [LibraryImport("libc", EntryPoint = "getgrouplist", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetGroupList(string user, uint group, uint* groups, int* count);

    /// <summary>statx(2): fixed layout on every architecture (uid at offset 20, gid at 24, mode at 28 of a 256-byte buffer).</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    /// <summary>getxattr(2) with no buffer: the size of the attribute, or -1 (ENODATA when the file has none).</summary>
    [LibraryImport("libc", EntryPoint = "getxattr", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetExtendedAttribute(string path, string name, void* value, nuint size);
}
