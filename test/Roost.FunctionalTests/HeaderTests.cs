using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Primitives;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// Response headers (SetHeader/GetHeader/RemoveHeader/WriteHead, several values, too late to set) and what a handler
/// sees of the request (headers, URL, path, query, version, remote address), on every protocol.
/// </summary>
public sealed class HeaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<TestProtocol> AllProtocols() => new(Enum.GetValues<TestProtocol>());

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task SetGetRemoveHeader_ResponseCarriesWhatIsLeft(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            res.SetHeader("X-Kept", "kept").SetHeader("X-Removed", "removed").SetHeader("Content-Type", "text/plain; charset=utf-8");
            res.RemoveHeader("x-removed");
            res.End($"kept={res.GetHeader("x-kept")} removed={res.GetHeader("X-Removed") ?? "null"} has={res.HasHeader("X-KEPT")}");
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(["kept"], response.Headers.GetValues("X-Kept"));
        Assert.False(response.Headers.Contains("X-Removed"));
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("kept=kept removed=null has=True", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task SetHeader_SeveralValues_AreSentAsSeparateFieldLines(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            res.SetHeader("Set-Cookie", new StringValues(["a=1; Path=/", "b=2; Path=/"]));
            res.SetHeader("X-Multi", new StringValues(["one", "two"]));
            res.End(res.GetHeader("X-Multi") ?? "null");
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);

        Assert.Equal(["a=1; Path=/", "b=2; Path=/"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal(["one", "two"], response.Headers.GetValues("X-Multi"));

        // GetHeader joins several values with ", ", as documented (and as Node joins repeated headers).
        Assert.Equal("one, two", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task WriteHead_StatusAndHeaders_AreSent(TestProtocol protocol)
    {
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            res.WriteHead(201, new Dictionary<string, StringValues>
            {
                ["Location"] = "/items/7",
                ["X-Created"] = new StringValues(["yes", "really"]),
            });
            res.End("created");
        });

        using var response = await running.Client.PostAsync(running.Url("/items"), new StringContent("item"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/items/7", response.Headers.Location?.OriginalString);
        Assert.Equal(["yes", "really"], response.Headers.GetValues("X-Created"));
        Assert.Equal("created", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task Request_HeadersUrlPathQueryVersionAndAddress_AreVisibleToHandler(TestProtocol protocol)
    {
        var seen = new TaskCompletionSource<Dictionary<string, string?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(protocol, (req, res) =>
        {
            seen.TrySetResult(new Dictionary<string, string?>
            {
                ["Method"] = req.Method,
                ["Url"] = req.Url,
                ["Path"] = req.Path,
                ["QueryString"] = req.QueryString,
                ["Query.q"] = req.Query["q"].ToString(),
                ["Query.r"] = req.Query["r"].ToString(),
                ["HttpVersion"] = req.HttpVersion,
                ["IsSecure"] = req.IsSecure.ToString(),
                ["RemoteAddress"] = req.RemoteAddress,
                ["RemotePortSet"] = (req.RemotePort > 0).ToString(),
                ["LocalPort"] = req.LocalEndPoint?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["x-custom"] = req.GetHeader("x-custom"),
                ["X-CUSTOM via Headers"] = req.Headers["X-CUSTOM"].ToString(),
                ["Missing"] = req.GetHeader("X-Not-Sent"),
            });
            res.End("ok");
        });
        using var request = running.Request(HttpMethod.Delete, "/search/a%20b?q=1&r=two");
        request.Headers.Add("X-Custom", "custom value");

        using var response = await running.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var values = await seen.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DELETE", values["Method"]);
        Assert.Equal("/search/a%20b?q=1&r=two", values["Url"]);
        Assert.Equal("/search/a b", values["Path"]);
        Assert.Equal("?q=1&r=two", values["QueryString"]);
        Assert.Equal("1", values["Query.q"]);
        Assert.Equal("two", values["Query.r"]);
        Assert.Equal(running.RequestHttpVersion, values["HttpVersion"]);
        Assert.Equal((running.Chain is not null).ToString(), values["IsSecure"]);
        Assert.Equal("127.0.0.1", values["RemoteAddress"]);
        Assert.Equal("True", values["RemotePortSet"]);
        Assert.Equal(running.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), values["LocalPort"]);
        Assert.Equal("custom value", values["x-custom"]);
        Assert.Equal("custom value", values["X-CUSTOM via Headers"]);
        Assert.Null(values["Missing"]);
    }

    [Fact]
    public async Task Request_RepeatedHeaderLines_GetHeaderJoinsThemWithCommaSpace()
    {
        // HttpClient folds repeated headers into one line itself, so this needs a raw HTTP/1.1 request.
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(TestProtocol.Http11, (req, res) =>
        {
            seen.TrySetResult(req.GetHeader("X-Repeated"));
            res.End("ok");
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, running.Server.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();

        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: test\r\nX-Repeated: first\r\nX-Repeated: second\r\nConnection: close\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var reply = await reader.ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", reply, StringComparison.Ordinal);
        Assert.Equal("first, second", await seen.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    [InlineData(TestProtocol.Http11)]
    public async Task SetHeader_AfterHeadersSent_ThrowsWithMessage(TestProtocol protocol)
    {
        var errors = new TaskCompletionSource<(bool SentBefore, bool SentAfter, Exception?[] Errors)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            var sentBefore = res.HeadersSent;

            // WriteAsync waits until the bytes are handed to the connection: the status line and headers are out.
            await res.WriteAsync("first part, ");
            errors.TrySetResult((sentBefore, res.HeadersSent,
            [
                Record.Exception(() => res.SetHeader("X-Late", "too late")),
                Record.Exception(() => res.RemoveHeader("Content-Type")),
                Record.Exception(() => res.StatusCode = 404),
                Record.Exception(() => res.WriteHead(404)),
            ]));
            await res.EndAsync("rest");
        });

        using var response = await running.Client.GetAsync(running.Url(), TestContext.Current.CancellationToken);
        var (sentBefore, sentAfter, seen) = await errors.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.False(sentBefore);
        Assert.True(sentAfter);
        Assert.Equal(ErrorMessages.HeadersAlreadySent("set header 'X-Late'"), Assert.IsType<InvalidOperationException>(seen[0]).Message);
        Assert.Equal(ErrorMessages.HeadersAlreadySent("remove header 'Content-Type'"), Assert.IsType<InvalidOperationException>(seen[1]).Message);
        Assert.Equal(ErrorMessages.HeadersAlreadySent("set the status code"), Assert.IsType<InvalidOperationException>(seen[2]).Message);
        Assert.Equal(ErrorMessages.HeadersAlreadySent("set the status code"), Assert.IsType<InvalidOperationException>(seen[3]).Message);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Late"));
        Assert.Equal("first part, rest", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
