using System.Runtime.InteropServices;

namespace Roost.Clustering.Internal.Interop;

/// <summary>What a draining worker and the primary read from a listening socket: its accept queue and SO_REUSEPORT.</summary>
internal static unsafe partial class Libc
{
    private const int IpprotoTcp = 6;
    private const int TcpInfo = 11;
    private const int SoReusePortOption = 15;
    private const byte TcpListenState = 10;

    // struct tcp_info: u8 tcpi_state at 0; u32 tcpi_unacked at 24, which a listener aliases to its accept queue length.
    private const int TcpInfoUnackedOffset = 24;

    /// <summary>Returns how many connections wait in the accept queue of listening socket <paramref name="fd"/>, or null when it is not a listening TCP socket.</summary>
    public static int? AcceptQueueLength(int fd)
    {
        var info = stackalloc byte[256];
        var length = 256u;
        if (GetSockOpt(fd, IpprotoTcp, TcpInfo, info, &length) != 0 || length < TcpInfoUnackedOffset + 4 || info[0] != TcpListenState)
        {
            return null;
        }

        return (int)*(uint*)(info + TcpInfoUnackedOffset);
    }

    /// <summary>Returns whether SO_REUSEPORT is set on <paramref name="fd"/>.</summary>
    public static bool IsReusePort(int fd)
    {
        var value = 0;
        var length = (uint)sizeof(int);
        return GetSockOpt(fd, SolSocket, SoReusePortOption, &value, &length) == 0 && value != 0;
    }

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);
}
