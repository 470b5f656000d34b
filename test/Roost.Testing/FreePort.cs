using System.Net;
using System.Net.Sockets;

namespace Roost.Testing;

/// <summary>Free TCP ports on loopback for tests that must know a port before a process binds it.</summary>
public static class FreePort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
