using System.Net;
using System.Text;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// Bytes written before <c>End</c> reach the client while the response is still open (server-sent events, long
/// polls), over HTTP/1.1 and HTTP/2, from sync and async handlers.
/// </summary>
public sealed class StreamingTests
{
    private const string First = "data: first\n\n";
    private const string Last = "data: last\n\n";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the server waits for the test's go-ahead before ending anyway (so a failing test still ends).</summary>
    private static readonly TimeSpan ServerWait = TimeSpan.FromSeconds(20);

    public static TheoryData<TestProtocol, bool> ProtocolsAndHandlerKinds()
    {
        var data = new TheoryData<TestProtocol, bool>();
        foreach (var protocol in Enum.GetValues<TestProtocol>())
        {
            data.Add(protocol, false);
            data.Add(protocol, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndHandlerKinds))]
    public async Task Write_BeforeEnd_ReachesClientWhileResponseIsOpen(TestProtocol protocol, bool async)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = async
            ? await RunningServer.StartAsync(protocol, async (req, res) =>
            {
                res.SetHeader("Content-Type", "text/event-stream");
                await res.WriteAsync(First);
                await WaitQuietlyAsync(release.Task);
                res.End(Last);
            })
            : await RunningServer.StartAsync(protocol, (req, res) =>
            {
                // Node style: write, return, and end later from elsewhere.
                res.SetHeader("Content-Type", "text/event-stream");
                res.Write(First);
                _ = Task.Run(async () =>
                {
                    await WaitQuietlyAsync(release.Task);
                    res.End(Last);
                });
            });

        using var response = await running.Client.SendAsync(running.Request(HttpMethod.Get), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var received = await ReadUntilAsync(body, First);
        release.SetResult();
        received += await new StreamReader(body, Encoding.UTF8).ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(First + Last, received);
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task Write_PastStreamThresholdInRunningSyncHandler_LeavesBeforeHandlerReturns(TestProtocol protocol)
    {
        var payload = new string('x', OutgoingResponse.StreamThreshold + 1);
        using var release = new ManualResetEventSlim();
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            res.Write(payload);

            // Blocks this handler (a test-only shortcut) to prove the bytes did not wait for it to return.
            release.Wait(ServerWait);
            res.End(Last);
        });

        using var response = await running.Client.SendAsync(running.Request(HttpMethod.Get), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var received = await ReadUntilAsync(body, payload);
        release.Set();
        received += await new StreamReader(body, Encoding.UTF8).ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(payload + Last, received);
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task Client_GoesAwayMidStream_HandlerSeesAbortAndServerKeepsServing(TestProtocol protocol)
    {
        var abortedSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            if (req.Path != "/stream")
            {
                res.End("still serving");
                return;
            }

            // Not a req.Aborted.Register callback disposed with the handler: WriteAsync's own registration on the
            // same token runs first and can resume this handler inline, which would unregister it before it runs.
            try
            {
                var stopAt = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
                while (!req.Aborted.IsCancellationRequested && TimeProvider.System.GetTimestamp() < stopAt)
                {
                    await res.WriteAsync(First, req.Aborted);
                    await Task.Delay(20, CancellationToken.None);
                }
            }
            finally
            {
                if (req.Aborted.IsCancellationRequested)
                {
                    abortedSeen.TrySetResult();
                }
            }

            res.End();
        });

        using (var response = await running.Client.SendAsync(running.Request(HttpMethod.Get, "/stream"), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken))
        {
            await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
            await ReadUntilAsync(body, First);

            // Disposing the unread response resets the stream (HTTP/2), or closes the connection (HTTP/1.1) after
            // HttpClient's background drain gives up (ResponseDrainTimeout, 2 s).
        }

        await abortedSeen.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        using var next = await running.Client.GetAsync(running.Url("/next"), TestContext.Current.CancellationToken);
        Assert.Equal("still serving", await next.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task Handler_NeverEndsAndClientGoesAway_RequestCompletesSoCloseIsPrompt(TestProtocol protocol)
    {
        // Node keeps such a request open until the client leaves; then it must not hold up close for ShutdownTimeout.
        await using var running = await RunningServer.StartAsync(
            protocol,
            (req, res) => res.Write(First),
            options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));

        using (var response = await running.Client.SendAsync(running.Request(HttpMethod.Get), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken))
        {
            await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
            await ReadUntilAsync(body, First);
        }

        running.Client.Dispose();
        var started = TimeProvider.System.GetTimestamp();
        await running.Server.CloseAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5), "Close waited for a request whose client had left.");
    }

    private static async Task WaitQuietlyAsync(Task release)
    {
        try
        {
            await release.WaitAsync(ServerWait);
        }
        catch (TimeoutException)
        {
            // The test failed to see the first bytes and gave up; end the response so the server can close.
        }
    }

    /// <summary>Reads until <paramref name="expected"/> has arrived; fails if the bytes do not come while the response is open.</summary>
    /// <returns>Everything read so far (it starts with <paramref name="expected"/>).</returns>
    private static async Task<string> ReadUntilAsync(Stream body, string expected)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        var received = new StringBuilder();
        var buffer = new byte[16 * 1024];
        while (received.Length < expected.Length)
        {
            int read;
            try
            {
                read = await body.ReadAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"Only {received.Length} of the {expected.Length} bytes written before End arrived within {Timeout}: they were held back until End.");
                throw;
            }

            Assert.True(read > 0, "The response ended before the test allowed End.");
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        // A handler that keeps writing may already have sent more than the expected start.
        Assert.StartsWith(expected, received.ToString(), StringComparison.Ordinal);
        return received.ToString();
    }
}
