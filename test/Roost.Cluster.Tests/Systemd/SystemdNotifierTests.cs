using System.Net.Sockets;
using System.Text;
using Roost.Clustering.Internal.Systemd;

namespace Roost.Cluster.Tests.Systemd;

/// <summary>SystemdNotifier: which NOTIFY_SOCKET and WATCHDOG_* values turn it on, and datagrams to a real path and abstract socket.</summary>
public sealed class SystemdNotifierTests
{
    [Fact]
    public void Create_NoNotifySocket_IsOff()
    {
        Assert.Null(SystemdNotifier.Create(_ => null, 42, out var unsupported));
        Assert.Null(unsupported);
        Assert.Null(SystemdNotifier.Create(_ => "", 42, out _));
    }

    [Fact]
    public void Create_VsockAddress_IsOffAndSaysWhy()
    {
        Assert.Null(SystemdNotifier.Create(name => name == "NOTIFY_SOCKET" ? "vsock:2:1234" : null, 42, out var unsupported));
        Assert.Equal("vsock:2:1234", unsupported);
    }

    [Theory]
    [InlineData("2000000", null, 2000.0)]
    [InlineData("2000000", "42", 2000.0)]
    [InlineData("2000000", "43", null)]
    [InlineData("2000000", "x", null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    [InlineData(null, null, null)]
    public void ParseWatchdog_HonoursUsecAndPid(string? usec, string? pid, double? expectedMilliseconds)
    {
        var interval = SystemdNotifier.ParseWatchdog(usec, pid, 42);
        Assert.Equal(expectedMilliseconds, interval?.TotalMilliseconds);
    }

    [Fact]
    public void Send_ToPathSocket_ArrivesAsOneDatagram()
    {
        var path = Path.Combine(Path.GetTempPath(), $"roost-notify-{Guid.NewGuid():N}.sock");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            using var notifier = SystemdNotifier.Create(name => name == "NOTIFY_SOCKET" ? path : null, 42, out _)!;

            Assert.True(notifier.Send("READY=1\nSTATUS=ok"));
            Assert.Equal("READY=1\nSTATUS=ok", Receive(receiver));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Send_ToAbstractSocket_ArrivesAsOneDatagram()
    {
        var name = $"roost-notify-{Guid.NewGuid():N}";
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint("\0" + name));
        using var notifier = SystemdNotifier.Create(v => v switch { "NOTIFY_SOCKET" => "@" + name, "WATCHDOG_USEC" => "500000", _ => null }, 42, out _)!;

        Assert.Equal(TimeSpan.FromMilliseconds(500), notifier.WatchdogInterval);
        Assert.True(notifier.Send("WATCHDOG=1"));
        Assert.Equal("WATCHDOG=1", Receive(receiver));
    }

    [Fact]
    public void Send_NobodyListening_ReturnsFalseAndKeepsTheError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"roost-notify-{Guid.NewGuid():N}.sock");
        using var notifier = SystemdNotifier.Create(name => name == "NOTIFY_SOCKET" ? path : null, 42, out _)!;

        Assert.False(notifier.Send("READY=1"));
        Assert.NotNull(notifier.LastError);
    }

    private static string Receive(Socket receiver)
    {
        receiver.ReceiveTimeout = 5000;
        var buffer = new byte[1024];
        var length = receiver.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
