using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// The HTTP/2 connection guard against abusive clients (raw frames over real TLS): Rapid Reset and CONTINUATION floods
/// end with GOAWAY(ENHANCE_YOUR_CALM) and a bounded log while a well-behaved client keeps being served; a graceful close
/// under h2 load refuses no stream (two-step GOAWAY, RFC 9113 §6.8).
/// </summary>
public sealed class Http2GuardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // Verifies: 4 attackers sending HEADERS + RST_STREAM in a loop for up to 4 s (reconnecting, as the issue's client
    // did) each get GOAWAY(ENHANCE_YOUR_CALM) on every connection (not a TCP reset), the server's log stays small (a
    // few lines per connection for the first ones, then a summary), and a well-behaved h2 client gets only 200s.
    [Fact]
    public async Task RapidReset_FourAttackers_EachConnectionGetsGoAwayEnhanceYourCalmAndTheLogStaysBounded()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = logs.CreateFactory();
        await using var running = await RunningServer.StartAsync(TestProtocol.H2Tls, async (req, res) =>
        {
            await Task.Yield();
            await res.EndAsync("ok");
        }, options => options.LoggerFactory = loggerFactory);
        var port = running.Server.Port;
        var headers = RawHttp2Connection.RequestHeaders($"127.0.0.1:{port}", "/");
        var outcomes = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var probe = new LoadProbe(keepAlive: true) { RequiredVersion = HttpVersion.Version20 };

        var attackers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                outcomes.Enqueue(await AttackOnceAsync(port, running.Chain!, headers, stop.Token));
            }
        })).ToArray();
        var wellBehaved = probe.RunAsync(running.Client, running.Url("/").ToString(), concurrency: 2, stop.Token, pause: TimeSpan.FromMilliseconds(20));
        await Task.WhenAll([.. attackers, wellBehaved]).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        var attacks = outcomes.ToArray();
        // What a production log shows of a flood: warnings and worse (per-request Information lines are the hosting's
        // request log, which the CLI keeps at Warning for Microsoft.* categories).
        var informational = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToArray();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{attacks.Length} attacking connections: {string.Join(", ", attacks.GroupBy(a => a).Select(g => $"{g.Count()}× {g.Key}"))}; " +
            $"well-behaved: {probe.Ok} ok, {probe.Failed} failed ({string.Join(" | ", probe.Errors.Take(3))}); " +
            $"{informational.Length} log lines at Warning or above, {logs.Entries.Count} in all:\n" +
            string.Join("\n", informational.GroupBy(e => $"{e.Level} {e.Category}[{e.EventId.Id}]").Select(g => $"{g.Count()}× {g.Key}: {g.First().Message}")) + "\n" +
            string.Join("\n", informational.Take(10).Select(e => $"{e.Level} {e.Category}[{e.EventId.Id}] {e.Message}")));
        Assert.NotEmpty(attacks);
        Assert.All(attacks, a => Assert.Equal("goaway ENHANCE_YOUR_CALM", a));
        Assert.True(probe.Ok > 0 && probe.Failed == 0, $"well-behaved client: {probe.Ok} ok, {probe.Failed} failed: {string.Join(" | ", probe.Errors)}");
        // The first 5 abusive connections get a line each, the rest one summary per 10 s; the test chain's warning besides.
        Assert.InRange(informational.Length, 1, 10);
        Assert.InRange(informational.Count(e => e.EventId.Id == 1200), 1, 5);
    }

    // Verifies: HEADERS without END_HEADERS followed by empty CONTINUATION frames without end (never cut off before:
    // Kestrel's header limits count bytes, and its request-headers timeout is 30 s) ends with GOAWAY(ENHANCE_YOUR_CALM)
    // within the 5 s the attacker keeps sending, on each of 4 connections.
    [Fact]
    public async Task ContinuationFlood_EmptyFrames_GoAwayEnhanceYourCalm()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = logs.CreateFactory();
        await using var running = await RunningServer.StartAsync(TestProtocol.H2Tls, (req, res) => res.End("ok"), options => options.LoggerFactory = loggerFactory);
        var port = running.Server.Port;
        var headers = RawHttp2Connection.RequestHeaders($"127.0.0.1:{port}", "/");

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var connection = await RawHttp2Connection.ConnectAsync("127.0.0.1", port, running.Chain!.Root, TestContext.Current.CancellationToken);
            // HEADERS for stream 1 with END_STREAM but not END_HEADERS: the header block stays open.
            await connection.SendFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndStream, 1, headers);
            var batch = new byte[100 * 9];
            for (var i = 0; i < 100; i++)
            {
                RawHttp2Connection.WriteHeader(batch.AsSpan(i * 9), RawHttp2Connection.Continuation, 0, 1, 0);
            }

            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(5) && !connection.FirstGoAway.IsCompleted && !connection.Closed.IsCompleted)
            {
                try
                {
                    await connection.SendRawAsync(batch);
                }
                catch (IOException)
                {
                    break;
                }
            }

            var outcome = await Task.WhenAny(connection.FirstGoAway, connection.Closed, Task.Delay(Timeout)) == connection.FirstGoAway
                ? $"goaway {ErrorName(connection.FirstGoAway.Result.ErrorCode)}"
                : connection.Closed.IsCompleted ? $"closed ({connection.Closed.Result}) without GOAWAY" : "no GOAWAY";
            return (outcome, clock.Elapsed);
        })));

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("; ", results.Select(r => $"{r.outcome} after {r.Elapsed.TotalMilliseconds:F0} ms")) + "\n" +
            string.Join("\n", logs.Entries.Where(e => e.Level >= LogLevel.Debug && !e.Category.Contains("Hosting", StringComparison.Ordinal)).Take(30).Select(e => $"{e.Level} {e.Category}[{e.EventId.Id}] {e.Message}")));
        Assert.All(results, r => Assert.Equal("goaway ENHANCE_YOUR_CALM", r.outcome));
    }

    // Verifies: closing the server (graceful close, the same path a worker's drain takes) while 4 h2 connections keep
    // 4 streams each in flight refuses no stream: every stream the client sent is answered, none is above the last
    // GOAWAY's last-stream-id (what nghttp2-based clients such as Node's report as REFUSED_STREAM), none is reset.
    // The client behaves as RFC 9113 §6.8 asks: after a GOAWAY it opens no new stream on that connection.
    [Fact]
    public async Task CloseAsync_UnderH2Load_RefusesNoStream()
    {
        var totals = new CloseOutcome();
        for (var round = 0; round < 3; round++)
        {
            await using var running = await RunningServer.StartAsync(TestProtocol.H2Tls, async (req, res) =>
            {
                await Task.Yield();
                await res.EndAsync("ok");
            });
            var port = running.Server.Port;
            var connections = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                RawHttp2Connection.ConnectAsync("127.0.0.1", port, running.Chain!.Root, TestContext.Current.CancellationToken)));
            try
            {
                var loads = connections.SelectMany(c => Enumerable.Range(0, 4).Select(_ => LoadUntilGoAwayAsync(c, $"127.0.0.1:{port}", totals))).ToArray();
                await Task.Delay(300, TestContext.Current.CancellationToken);
                await running.Server.CloseAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
                await Task.WhenAll(loads).WaitAsync(Timeout, TestContext.Current.CancellationToken);
            }
            finally
            {
                foreach (var connection in connections)
                {
                    await connection.DisposeAsync();
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"3 closes: {totals.Ok} answered, {totals.Refused} refused (above the last GOAWAY's last-stream-id), {totals.Failed} failed: {string.Join(" | ", totals.Errors.Where(e => e.StartsWith("failed", StringComparison.Ordinal)).Take(5))}");
        Assert.True(totals.Ok > 0);
        Assert.Equal(0, totals.Refused);
        Assert.Equal(0, totals.Failed);
    }

    private static async Task LoadUntilGoAwayAsync(RawHttp2Connection connection, string authority, CloseOutcome outcome)
    {
        var headers = RawHttp2Connection.RequestHeaders(authority, "/");
        while (!connection.FirstGoAway.IsCompleted && !connection.Closed.IsCompleted)
        {
            var streamId = 0;
            try
            {
                (streamId, var answer) = await connection.SendRequestAsync(headers);
                var status = await answer.WaitAsync(Timeout);
                outcome.Count(status == 200 ? null : $"stream {streamId}: status {status}", refused: false);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException)
            {
                // Refused: the stream is above the last-stream-id of the last GOAWAY (the server never processed it).
                var lastGoAway = connection.GoAways.LastOrDefault();
                var refused = connection.GoAways.Count > 0 && streamId > lastGoAway.LastStreamId;
                outcome.Count($"stream {streamId}: {ex.Message} (GOAWAYs: {string.Join(", ", connection.GoAways)})", refused);
            }
        }
    }

    private static async Task<string> AttackOnceAsync(int port, TestChain chain, byte[] headers, CancellationToken stop)
    {
        RawHttp2Connection connection;
        try
        {
            connection = await RawHttp2Connection.ConnectAsync("127.0.0.1", port, chain.Root, CancellationToken.None);
        }
        catch (IOException ex)
        {
            return $"connect failed: {ex.Message}";
        }

        await using (connection)
        {
            var clock = Stopwatch.StartNew();
            var batch = new List<byte>();
            while (!connection.FirstGoAway.IsCompleted && !connection.Closed.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                batch.Clear();
                for (var i = 0; i < 20; i++)
                {
                    batch.AddRange(RawHttp2Connection.HeadersThenReset(connection.NextStreamId(), headers));
                }

                try
                {
                    await connection.SendRawAsync(batch.ToArray());
                }
                catch (IOException)
                {
                    break;
                }
            }

            var ended = await Task.WhenAny(connection.FirstGoAway, connection.Closed, Task.Delay(Timeout, CancellationToken.None));
            return ended == connection.FirstGoAway
                ? $"goaway {ErrorName(connection.FirstGoAway.Result.ErrorCode)}"
                : connection.Closed.IsCompleted ? $"closed ({connection.Closed.Result}) without GOAWAY" : "still open after 10 s";
        }
    }

    private static string ErrorName(int code) => code switch
    {
        RawHttp2Connection.NoError => "NO_ERROR",
        RawHttp2Connection.EnhanceYourCalm => "ENHANCE_YOUR_CALM",
        0x2 => "INTERNAL_ERROR",
        _ => $"error 0x{code:x}",
    };

    private sealed class CloseOutcome
    {
        private int _ok;
        private int _refused;
        private int _failed;

        public int Ok => _ok;

        public int Refused => _refused;

        public int Failed => _failed;

        public ConcurrentQueue<string> Errors { get; } = new();

        public void Count(string? error, bool refused)
        {
            if (error is null)
            {
                Interlocked.Increment(ref _ok);
                return;
            }

            Interlocked.Increment(ref refused ? ref _refused : ref _failed);
            Errors.Enqueue((refused ? "refused: " : "failed: ") + error);
        }
    }
}
