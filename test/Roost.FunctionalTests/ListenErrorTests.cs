using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// What Listen reports when it cannot bind: the port is busy, the address is not on this machine, the port is
/// privileged (seen by an unprivileged user), or the server already listens or was closed.
/// </summary>
public sealed class ListenErrorTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);

    private static HttpServer CreateServer() => Http.CreateServer(TestServers.Options(), (req, res) => res.End("ok"));

    /// <summary>Calls the synchronous Node-style <c>Listen</c> or <c>ListenAsync</c>.</summary>
    private static async Task ListenAsync(HttpServer server, bool async, int port, string? host = null)
    {
        if (async)
        {
            await (host is null
                ? server.ListenAsync(port, TestContext.Current.CancellationToken)
                : server.ListenAsync(port, host, TestContext.Current.CancellationToken));
        }
        else if (host is null)
        {
            server.Listen(port);
        }
        else
        {
            server.Listen(port, host);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Listen_PortInUse_ThrowsListenExceptionWithExactMessage(bool async)
    {
        // Occupy the port on loopback only: binding 0.0.0.0 on the same port then fails with EADDRINUSE.
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        await using var server = CreateServer();

        var error = await Assert.ThrowsAsync<ListenException>(() => ListenAsync(server, async, port));

        // The listener is this test process: the message names its pid and command line (read from /proc).
        Assert.StartsWith($"Cannot listen on 0.0.0.0:{port}: the address is already in use by pid {Environment.ProcessId} ('", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("'). Stop that process or choose another port.", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorMessages.ListenAddressInUse($"0.0.0.0:{port}", string.Empty, Roost.Server.Internal.PortOwners.Find(new IPEndPoint(IPAddress.Any, port))), error.Message);
        Assert.Equal($"0.0.0.0:{port}", error.EndPoint);
        Assert.NotNull(error.InnerException);
        Assert.False(server.IsListening);
        Assert.Null(server.LocalEndPoint);
    }

    [Fact]
    public async Task Listen_AfterPortInUseFailure_CanListenOnAnotherPort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        await using var server = CreateServer();
        await Assert.ThrowsAsync<ListenException>(() => server.ListenAsync(port, "127.0.0.1", TestContext.Current.CancellationToken));

        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        using var client = TestClients.Cleartext();
        using var response = await client.GetAsync(server.Url(), TestContext.Current.CancellationToken);

        Assert.True(server.IsListening);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Listen_AddressNotOnThisMachine_ThrowsListenExceptionWithMessage()
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
        await using var server = CreateServer();

        var error = await Assert.ThrowsAsync<ListenException>(() => server.ListenAsync(0, "192.0.2.1", TestContext.Current.CancellationToken));

        Assert.Equal(ErrorMessages.ListenAddressNotAvailable("192.0.2.1:0"), error.Message);
        Assert.Equal("192.0.2.1:0", error.EndPoint);
    }

    [Fact]
    public async Task Listen_PrivilegedPortAsUnprivilegedUser_ThrowsPermissionDeniedWithFix()
    {
        const int Port = 443;
        var unprivilegedStart = int.Parse(await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_unprivileged_port_start", TestContext.Current.CancellationToken), CultureInfo.InvariantCulture);
        if (unprivilegedStart <= Port)
        {
            Assert.Skip($"net.ipv4.ip_unprivileged_port_start is {unprivilegedStart}: every user may bind port {Port} here, so there is no permission error to see.");
        }

        using var workspace = new TempDirectory("roost-unprivileged");
        await using var host = UnprivilegedProcess.StartDotnet(RepoPaths.ProjectDll("test", "Roost.TestHost"), ["listen", "127.0.0.1", Port.ToString(CultureInfo.InvariantCulture)], workspace);

        var exitCode = await host.WaitForExitAsync(ProcessTimeout);

        Assert.True(exitCode == 3, $"Expected exit code 3 (ListenException), got {exitCode}. Output:\n{host.Output}");
        // The host runs as 'dotnet Roost.TestHost.dll': the advice must steer away from setcap on the shared host.
        Assert.Equal($"ListenException: {ErrorMessages.ListenPermissionDenied($"127.0.0.1:{Port}", Port, "dotnet")}", host.StandardOutput);
        Assert.Contains("apphost", host.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_BIND_SERVICE", host.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("1024 or above", host.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Listen_Twice_ThrowsInvalidOperationException(bool async)
    {
        await using var server = CreateServer();
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenAsync(server, async, 0, "127.0.0.1"));

        Assert.Equal(ErrorMessages.AlreadyListening($"127.0.0.1:{server.Port}"), error.Message);
        Assert.True(server.IsListening);
    }

    [Fact]
    public async Task Listen_AfterClose_ThrowsInvalidOperationException()
    {
        await using var server = CreateServer();
        await server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken);
        await server.CloseAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.ListenAsync(0, "127.0.0.1", TestContext.Current.CancellationToken));

        Assert.Equal(ErrorMessages.ServerClosed(), error.Message);
    }

    [Fact]
    public async Task Listen_PortZeroWithCallback_ReportsRealPortBeforeCallbackAndReturnsServer()
    {
        await using var server = CreateServer();
        var portInCallback = -1;

        var returned = server.Listen(0, "127.0.0.1", () => portInCallback = server.Port);

        Assert.Same(server, returned);
        Assert.True(server.Port > 0);
        Assert.Equal(server.Port, portInCallback);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, server.Port), server.LocalEndPoint);
        Assert.True(server.IsListening);
    }

    [Fact]
    public async Task Listen_Ipv6Loopback_ServesRequests()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Skip("IPv6 is not available on this machine.");
        }

        await using var server = CreateServer();
        await server.ListenAsync(0, "::1", TestContext.Current.CancellationToken);
        using var client = TestClients.Cleartext();

        using var response = await client.GetAsync(new Uri($"http://[::1]:{server.Port}/"), TestContext.Current.CancellationToken);

        Assert.Equal(IPAddress.IPv6Loopback, server.LocalEndPoint?.Address);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
