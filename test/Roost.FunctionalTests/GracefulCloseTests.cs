using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// Closing gracefully, as Node's <c>server.close()</c>: the listener goes away at once, in-flight requests finish,
/// <c>WaitForShutdownAsync</c> completes; requests that outlive <c>ShutdownTimeout</c> are aborted; SIGTERM does the
/// same in a real process.
/// </summary>
public sealed class GracefulCloseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(TestProtocol.Http11)]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task CloseAsync_WhileSlowRequestInFlight_RequestCompletesAndNewConnectionsAreRefused(TestProtocol protocol)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), req.Aborted);
            await res.EndAsync("finished after close");
        });
        var server = running.Server;
        var port = server.Port;
        var inFlight = running.Client.GetAsync(running.Url("/slow"), TestContext.Current.CancellationToken);
        await arrived.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var close = server.CloseAsync(TestContext.Current.CancellationToken);
        await WaitUntilRefusedAsync(port);
        var closedWhileInFlight = close.IsCompleted || server.WaitForShutdownAsync(TestContext.Current.CancellationToken).IsCompleted;
        release.SetResult();
        using var response = await inFlight.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        await close.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await server.WaitForShutdownAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var afterClose = await Record.ExceptionAsync(() => running.Client.GetAsync(running.Url("/after"), TestContext.Current.CancellationToken));

        Assert.False(closedWhileInFlight, "The server finished closing while a request was still in flight.");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished after close", body);
        if (running.Version == HttpVersion.Version11)
        {
            // Kestrel tells an HTTP/1.1 client to go away with the last response (HTTP/2 gets GOAWAY).
            Assert.True(response.Headers.ConnectionClose);
        }

        Assert.False(server.IsListening);
        var refused = Assert.IsType<HttpRequestException>(afterClose);
        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
    }

    [Fact]
    public async Task WaitForShutdownAsync_BeforeClose_DoesNotCompleteAndCloseAsyncReturnsSameTask()
    {
        await using var running = await RunningServer.StartAsync(TestProtocol.Http11, (req, res) => res.End("ok"));
        var waiting = running.Server.WaitForShutdownAsync(TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        var completedEarly = waiting.IsCompleted;

        var first = running.Server.CloseAsync(TestContext.Current.CancellationToken);
        var second = running.Server.CloseAsync(TestContext.Current.CancellationToken);
        await first.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await waiting.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.False(completedEarly);
        Assert.Same(first, second);
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task CloseAsync_RequestOutlivesShutdownTimeout_IsAbortedAndCloseCompletes(TestProtocol protocol)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var abortedSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(
            protocol,
            async (req, res) =>
            {
                arrived.TrySetResult();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), req.Aborted);
                }
                catch (OperationCanceledException)
                {
                    abortedSeen.TrySetResult();
                    throw;
                }

                await res.EndAsync("too late");
            },
            options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        var inFlight = running.Client.GetAsync(running.Url("/never"), TestContext.Current.CancellationToken);
        await arrived.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var started = TimeProvider.System.GetTimestamp();
        await running.Server.CloseAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var clientError = await Record.ExceptionAsync(() => inFlight.WaitAsync(Timeout, TestContext.Current.CancellationToken));

        await abortedSeen.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.IsType<HttpRequestException>(clientError);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(400), $"Closed after {elapsed}: the in-flight request did not get its grace period.");
    }

    [Fact]
    public async Task Sigterm_WhileSlowRequestInFlight_RequestCompletesAndProcessExitsZero()
    {
        await using var host = TestProcess.StartDotnet(RepoPaths.ProjectDll("test", "Roost.TestHost"), ["serve"]);
        var line = await host.WaitForLineAsync("listening ", Timeout);
        var port = int.Parse(line["listening ".Length..], CultureInfo.InvariantCulture);
        using var client = TestClients.Cleartext();
        var inFlight = client.GetAsync(new Uri($"http://127.0.0.1:{port}/slow"), TestContext.Current.CancellationToken);
        await host.WaitForLineAsync("request /slow started", Timeout);

        host.Signal(15);
        using var response = await inFlight.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("slow done", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, exitCode);
        Assert.Contains("shut down", host.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Polls until a new TCP connection to the port is refused (the listener is closed).</summary>
    private static async Task WaitUntilRefusedAsync(int port)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // This probe was still in the accept queue when the listener closed; the next one tells.
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Port {port} still accepted connections {Timeout} after CloseAsync.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
