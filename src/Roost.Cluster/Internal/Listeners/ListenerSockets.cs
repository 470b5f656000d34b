using System.Net;
using System.Net.Sockets;
using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>Binds listening sockets the way Kestrel does, plus what sharing needs.</summary>
internal static class ListenerSockets
{
    // Linux's SOMAXCONN default since 5.4; the kernel clamps to net.core.somaxconn anyway.
    private const int Backlog = 4096;

    // SO_REUSEADDR and SO_REUSEPORT on Linux (asm-generic/socket.h).
    private const int SoReuseAddress = 2;
    private const int SoReusePort = 15;

    /// <summary>
    /// Throws when another socket already listens on <paramref name="endPoint"/> (or overlaps it: a wildcard on the
    /// same port), before the first <c>SO_REUSEPORT</c> bind: with <c>SO_REUSEPORT</c> the kernel lets any process of
    /// the same user join that socket's group instead of failing, so a second instance would silently share the port
    /// and take part of its connections (issue 13, item 6).
    /// </summary>
    /// <remarks>
    /// How: bind a probe socket without <c>SO_REUSEPORT</c> (with <c>SO_REUSEADDR</c>, so connections in TIME_WAIT do
    /// not count) and close it; a listening socket, with or without <c>SO_REUSEPORT</c>, makes that bind fail with
    /// EADDRINUSE. Limit: two instances started at the same moment can both pass the probe before either binds; the
    /// probe catches every instance started after another is listening, which is the mistake seen in practice.
    /// </remarks>
    /// <exception cref="SocketException">EADDRINUSE: something listens there already.</exception>
    public static void EnsureNotListening(IPEndPoint endPoint)
    {
        if (endPoint.Port == 0)
        {
            // The kernel picks a free port: nobody can be listening on it.
            return;
        }

        using var probe = Create(endPoint);
        probe.Bind(endPoint);
    }

    public static Socket Bind(IPEndPoint endPoint, bool reusePort, bool inheritable = true)
    {
        var socket = Create(endPoint);
        try
        {
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

    private static Socket Create(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // SO_REUSEADDR alone, set raw: .NET's SocketOptionName.ReuseAddress sets SO_REUSEPORT as well on Linux,
            // which would let the probe (and the shared and handoff sockets) join another process's reuseport group.
            socket.SetRawSocketOption(Libc.SolSocket, SoReuseAddress, BitConverter.GetBytes(1));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
