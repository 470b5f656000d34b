using System.Runtime.InteropServices;

namespace Roost.Clustering.Internal.Interop;

/// <summary>
/// The POSIX calls the cluster runtime needs and .NET does not expose: socketpair, fcntl (FD_CLOEXEC), prctl
/// (PR_SET_PDEATHSIG), sendmsg/recvmsg with SCM_RIGHTS, kill. Linux (glibc/musl) only; the structs below use the
/// 64-bit Linux layout.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloexec = 0x80000;
    public const int FGetFd = 1;
    public const int FSetFd = 2;
    public const int FdCloexec = 1;
    public const int PrSetPdeathsig = 1;
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int ShutRdwr = 2;
    public const int MsgNosignal = 0x4000;
    public const int Eintr = 4;
    public const int Eagain = 11;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigUsr2 = 12;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentPid();

    /// <summary>Sets or clears FD_CLOEXEC: cleared, the descriptor survives exec into a worker.</summary>
    public static void SetCloseOnExec(int fd, bool value)
    {
        if (Fcntl(fd, FSetFd, value ? FdCloexec : 0) != 0)
        {
            throw new IOException($"fcntl(F_SETFD) on fd {fd} failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Returns whether FD_CLOEXEC is set.</summary>
    public static bool GetCloseOnExec(int fd) => (Fcntl(fd, FGetFd, 0) & FdCloexec) != 0;

    /// <summary>Creates a connected AF_UNIX stream pair, both ends close-on-exec.</summary>
    public static (int First, int Second) CreateSocketPair()
    {
        var fds = stackalloc int[2];
        if (SocketPair(AfUnix, SockStream | SockCloexec, 0, fds) != 0)
        {
            throw new IOException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return (fds[0], fds[1]);
    }
}
