using System.Net;
using System.Net.Sockets;
using Roost.Internal.Interop;

namespace Roost.Internal.Listeners;

/// <summary>Binds listening sockets the way Kestrel does, plus what sharing needs.</summary>
internal static class ListenerSockets
{
    // Linux's SOMAXCONN default since 5.4; the kernel clamps to net.core.somaxconn anyway.
    private const int Backlog = 4096;

    // SO_REUSEPORT on Linux (asm-generic/socket.h).
    private const int SoReusePort = 15;

    public static Socket Bind(IPEndPoint endPoint, bool reusePort, bool inheritable = true)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (reusePort)
            {
                socket.SetRawSocketOption(Libc.SolSocket, SoReusePort, BitConverter.GetBytes(1));
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);

            // Workers inherit it across exec; keeping FD_CLOEXEC clear also makes .NET's SafeSocketHandle skip
            // shutdown() on dispose in a worker, which would otherwise stop the queue for every sharer (design.md).
            if (inheritable)
            {
                Libc.SetCloseOnExec((int)socket.Handle, false);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
