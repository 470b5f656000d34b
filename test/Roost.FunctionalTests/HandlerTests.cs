using System.Net;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// How Node-style handlers run: sync and async, byte-exact bodies, status codes, HEAD, ending later, failing
/// handlers and misuse (write after End).
/// </summary>
public sealed class HandlerTests
{
    private const string SeedBody = "<h1>hello Node</h1><p>hello server!</p>";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

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

    /// <summary>The seed's handler, word for word.</summary>
    private static void SeedHandler(IncomingRequest req, OutgoingResponse res)
    {
        res.Write("<h1>hello Node</h1>");
        res.End("<p>hello server!</p>");
    }

    /// <summary>Starts a server whose handler runs <paramref name="body"/> either synchronously or after a real await.</summary>
    private static Task<RunningServer> StartAsync(TestProtocol protocol, bool async, RequestHandler body) => async
        ? RunningServer.StartAsync(protocol, async (req, res) =>
        {
            await Task.Yield();
            body(req, res);
        })
        : RunningServer.StartAsync(protocol, body);

    [Theory]
    [MemberData(nameof(ProtocolsAndHandlerKinds))]
    public async Task SeedHandler_SyncOrAsync_SendsBodyByteExact(TestProtocol protocol, bool async)
    {
        await using var running = await StartAsync(protocol, async, SeedHandler);

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(running.Version, response.Version);
        Assert.Equal("<h1>hello Node</h1><p>hello server!</p>"u8.ToArray(), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    [InlineData(TestProtocol.Http11)]
    public async Task SeedHandler_Sync_SendsOneBodyWithContentLength(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, SeedHandler);

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(SeedBody.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(SeedBody, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task AsyncHandler_EndingWithoutAwaitingFirst_SendsContentLength(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            res.Write("<h1>hello Node</h1>");
            await res.EndAsync("<p>hello server!</p>");
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(SeedBody.Length, response.Content.Headers.ContentLength);
        Assert.Equal(SeedBody, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls, false)]
    [InlineData(TestProtocol.Http11Tls, true)]
    [InlineData(TestProtocol.H2Tls, false)]
    [InlineData(TestProtocol.H2Tls, true)]
    public async Task StatusCode_404WithBody_IsSentWithBody(TestProtocol protocol, bool async)
    {
        await using var running = await StartAsync(protocol, async, (req, res) =>
        {
            res.StatusCode = 404;
            res.End("no such page");
        });

        using var response = await running.Client.GetAsync(running.Url("/missing"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no such page", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11, false)]
    [InlineData(TestProtocol.Http11, true)]
    [InlineData(TestProtocol.Http11Tls, false)]
    [InlineData(TestProtocol.H2Tls, false)]
    [InlineData(TestProtocol.H2Tls, true)]
    public async Task StatusCode_204WithWrites_SendsNoBodyAndConnectionStaysUsable(TestProtocol protocol, bool async)
    {
        // Node drops body writes on 204 silently; a stray body would corrupt the next response on the connection.
        await using var running = await StartAsync(protocol, async, (req, res) =>
        {
            if (req.Path == "/empty")
            {
                res.StatusCode = 204;
                res.Write("dropped");
                res.End("dropped too");
                return;
            }

            res.End("next");
        });

        using var empty = await running.Client.GetAsync(running.Url("/empty"), TestContext.Current.CancellationToken);
        var emptyBody = await empty.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using var next = await running.Client.GetAsync(running.Url("/next"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
        Assert.Empty(emptyBody);
        Assert.False(empty.Content.Headers.ContentLength > 0);
        Assert.Equal("next", await next.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task StatusCode_500SetByHandler_IsSentWithBody(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            res.StatusCode = 500;
            res.End("database unavailable");
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("database unavailable", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(1000)]
    public async Task StatusCode_OutOfRange_ThrowsWithMessage(int statusCode)
    {
        var thrown = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(TestProtocol.Http11, (req, res) =>
        {
            thrown.TrySetResult(Record.Exception(() => res.StatusCode = statusCode));
            res.End("ok");
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        var error = Assert.IsType<ArgumentOutOfRangeException>(await thrown.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.StartsWith(ErrorMessages.StatusCodeOutOfRange(statusCode), error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(TestProtocol.Http11, false)]
    [InlineData(TestProtocol.Http11Tls, false)]
    [InlineData(TestProtocol.Http11Tls, true)]
    [InlineData(TestProtocol.H2Tls, false)]
    [InlineData(TestProtocol.H2Tls, true)]
    public async Task Head_SeedHandler_SendsHeadersWithoutBodyAndConnectionStaysUsable(TestProtocol protocol, bool async)
    {
        await using var running = await StartAsync(protocol, async, SeedHandler);

        using var head = await running.Client.SendAsync(running.Request(HttpMethod.Head), TestContext.Current.CancellationToken);
        var headBody = await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using var get = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(headBody);
        if (!async)
        {
            // The sync handler ends inside the call: the length is known and announced, as for GET.
            Assert.Equal(SeedBody.Length, head.Content.Headers.ContentLength);
        }

        Assert.Equal(SeedBody, await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task End_CalledLaterFromTimer_SendsResponse(TestProtocol protocol)
    {
        var timers = new List<Timer>();
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            // The handler returns at once; the response ends 200 ms later, as with Node's setTimeout.
            lock (timers)
            {
                timers.Add(new Timer(_ => res.End("ended by a timer"), null, TimeSpan.FromMilliseconds(200), System.Threading.Timeout.InfiniteTimeSpan));
            }
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ended by a timer", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ended by a timer".Length, response.Content.Headers.ContentLength);
        foreach (var timer in timers)
        {
            await timer.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task Write_InHandlerThenEndFromTimer_SendsBothParts(TestProtocol protocol)
    {
        var timers = new List<Timer>();
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            res.Write("first, ");
            lock (timers)
            {
                timers.Add(new Timer(_ => res.End("then the rest"), null, TimeSpan.FromMilliseconds(200), System.Threading.Timeout.InfiniteTimeSpan));
            }
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal("first, then the rest", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        foreach (var timer in timers)
        {
            await timer.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndHandlerKinds))]
    public async Task Handler_Throws_Gets500AndServerServesNextRequest(TestProtocol protocol, bool async)
    {
        await using var running = await StartAsync(protocol, async, (req, res) =>
        {
            if (req.Path == "/throw")
            {
                res.SetHeader("X-Set-Before-Throw", "1");
                if (!async)
                {
                    // Still buffered in a sync handler, so nothing is out yet. (After an await, a Write starts
                    // streaming at once, so whether it got out before a throw is a race: not asserted.)
                    res.Write("never sent");
                }

                throw new InvalidOperationException("handler bug");
            }

            res.End("still serving");
        });

        using var failed = await running.Client.GetAsync(running.Url("/throw"), TestContext.Current.CancellationToken);
        var failedBody = await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var next = await running.Client.GetAsync(running.Url("/next"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(string.Empty, failedBody);
        Assert.False(failed.Headers.Contains("X-Set-Before-Throw"));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("still serving", await next.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task Handler_ThrowsAfterStreamingStarted_AbortsThatResponseOnlyAndServerServesNextRequest(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            if (req.Path == "/throw")
            {
                await res.WriteAsync("headers and these bytes are out");
                throw new InvalidOperationException("handler bug after the response started");
            }

            res.End("still serving");
        });

        var error = await Record.ExceptionAsync(async () =>
        {
            using var response = await running.Client.GetAsync(running.Url("/throw"), TestContext.Current.CancellationToken);
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        });
        using var next = await running.Client.GetAsync(running.Url("/next"), TestContext.Current.CancellationToken);

        // The status line was already sent: the only honest signal left is to abort the response.
        Assert.IsType<HttpRequestException>(error);
        Assert.Equal("still serving", await next.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls, false)]
    [InlineData(TestProtocol.Http11Tls, true)]
    [InlineData(TestProtocol.H2Tls, false)]
    [InlineData(TestProtocol.H2Tls, true)]
    public async Task Write_AfterEnd_ThrowsWithMessageAndResponseIsUnchanged(TestProtocol protocol, bool async)
    {
        var errors = new TaskCompletionSource<Exception?[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await StartAsync(protocol, async, (req, res) =>
        {
            res.End("complete");
            errors.TrySetResult(
            [
                Record.Exception(() => res.Write("late")),
                Record.Exception(() => res.Write("late"u8.ToArray())),
                Record.Exception(() => res.End("late")),
                Record.Exception(res.End),
            ]);
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);
        var seen = await errors.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(ErrorMessages.WriteAfterEnd(), Assert.IsType<InvalidOperationException>(seen[0]).Message);
        Assert.Equal(ErrorMessages.WriteAfterEnd(), Assert.IsType<InvalidOperationException>(seen[1]).Message);
        Assert.Equal(ErrorMessages.WriteAfterEnd(), Assert.IsType<InvalidOperationException>(seen[2]).Message);
        Assert.Null(seen[3]); // End() again does nothing, as documented (Node ignores a second end()).
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("complete", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task WriteAsync_AfterEnd_ThrowsWithMessage(TestProtocol protocol)
    {
        var error = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            await res.EndAsync("complete");
            error.TrySetResult(await Record.ExceptionAsync(() => res.WriteAsync("late", TestContext.Current.CancellationToken)));
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        var thrown = Assert.IsType<InvalidOperationException>(await error.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorMessages.WriteAfterEnd(), thrown.Message);
        Assert.Equal("complete", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
