using System.Net;
using System.Net.Sockets;
using Roost.Clustering.Internal.Listeners;

namespace Roost.Cluster.Tests;

/// <summary>Reuseport steering for live scaling, on real sockets over loopback.</summary>
public sealed class ReusePortListenerSharingTests
{
    // Verifies: after SetActiveSlots({0, 2}) new connections land only in the queues of slots 0 and 2 (none in slot 1),
    // and after SetActiveSlots({0, 1, 2}) slot 1 gets connections again; a slot bound later joins only when active.
    [Fact]
    public void SetActiveSlots_ConnectionsGoOnlyToActiveSlots()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("SO_REUSEPORT steering is Linux-specific.");
        }

        using var sharing = new ReusePortListenerSharing();
        var requested = new IPEndPoint(IPAddress.Loopback, 0);
        var sockets = Enumerable.Range(0, 3).Select(slot => Adopt(sharing.GetHandle(requested, slot))).ToArray();
        var port = sharing.BoundEndPoints[requested].Port;

        sharing.SetActiveSlots([0, 2]);
        var counts = ConnectAndCount(port, sockets, 60);
        Assert.Equal(0, counts[1]);
        Assert.Equal(60, counts[0] + counts[2]);
        Assert.True(counts[0] > 0 && counts[2] > 0, $"random spread expected over both active slots; got {string.Join(", ", counts)}");

        var late = Adopt(sharing.GetHandle(requested, 3));
        counts = ConnectAndCount(port, [.. sockets, late], 40);
        Assert.Equal(0, counts[1] + counts[3]);

        sharing.SetActiveSlots([0, 1, 2, 3]);
        counts = ConnectAndCount(port, [.. sockets, late], 80);
        Assert.True(counts[1] > 0 && counts[3] > 0, $"re-activated slots get connections again; got {string.Join(", ", counts)}");
    }

    // A second Socket object over the primary's descriptor (as a worker has), without owning it.
    private static Socket Adopt(int handle) => new(new SafeSocketHandle(handle, ownsHandle: false));

    private static int[] ConnectAndCount(int port, Socket[] listeners, int connections)
    {
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(IPAddress.Loopback, port);
                clients.Add(client);
            }

            var counts = new int[listeners.Length];
            for (var i = 0; i < listeners.Length; i++)
            {
                while (listeners[i].Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
                {
                    using var accepted = listeners[i].Accept();
                    counts[i]++;
                }
            }

            return counts;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
