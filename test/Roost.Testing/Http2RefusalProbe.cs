using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Testing;

/// <summary>
/// An h2 load over <see cref="RawHttp2Connection"/>s that counts what a graceful close costs a client following RFC 9113
/// §6.8 exactly: after a GOAWAY it opens no new stream on that connection and reconnects. Each stream ends as
/// <c>answered</c>, <c>refused</c> (above the last GOAWAY's last-stream-id: never processed; what nghttp2-based clients
/// such as Node's report as REFUSED_STREAM) or <c>failed</c> (at or below it, or any other error: the server may have
/// processed it and the answer was lost). Unlike <see cref="Http2LoadProbe"/>, nothing is retried.
/// </summary>
public sealed class Http2RefusalProbe(string host, int port, X509Certificate2 root)
{
    private readonly ConcurrentDictionary<string, int> _outcomes = new();

    public int Answered => _outcomes.GetValueOrDefault("answered");

    public int Refused => _outcomes.GetValueOrDefault("refused");

    public int Failed => _outcomes.GetValueOrDefault("failed");

    /// <summary>Gets the first errors, as text for the test's report.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public override string ToString() =>
        $"{Answered} answered, {Refused} refused, {Failed} failed{(Errors.IsEmpty ? string.Empty : ": " + string.Join(" | ", Errors.Take(10)))}";

    /// <summary>Runs <paramref name="connections"/> connections with <paramref name="streams"/> request loops each until <paramref name="stop"/> fires.</summary>
    public Task RunAsync(int connections, int streams, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(() => ConnectionLoopAsync(streams, stop), CancellationToken.None)));

    /// <summary>
    /// Runs the probe (4 connections × 4 streams) against <paramref name="roost"/>, sends it SIGHUP once the load runs,
    /// waits for the rolling reload to generation 2 to finish and 1.5 s more, then stops the load and returns the
    /// probe for the test's assertions.
    /// </summary>
    public static async Task<Http2RefusalProbe> RunThroughReloadAsync(TestProcess roost, string host, int port, X509Certificate2 root,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var probe = new Http2RefusalProbe(host, port, root);
        using var stop = new CancellationTokenSource();
        var load = probe.RunAsync(connections: 4, streams: 4, stop.Token);
        try
        {
            await Task.Delay(1000, cancellationToken);
            roost.Signal(1);
            await roost.WaitForLineAsync("Rolling reload to generation 2 done", timeout);
            await Task.Delay(1500, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await load.WaitAsync(timeout, cancellationToken);
        }

        return probe;
    }

    private async Task ConnectionLoopAsync(int streams, CancellationToken stop)
    {
        var headers = RawHttp2Connection.RequestHeaders($"{host}:{port}", "/");
        while (!stop.IsCancellationRequested)
        {
            RawHttp2Connection connection;
            try
            {
                connection = await RawHttp2Connection.ConnectAsync(host, port, root, CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or TimeoutException)
            {
                Count("connect failed", $"connect: {ex.Message}");
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            await using (connection)
            {
                await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => StreamLoopAsync(connection, headers, stop)));
            }
        }
    }

    private async Task StreamLoopAsync(RawHttp2Connection connection, byte[] headers, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && connection.GoAways.Count == 0 && !connection.Closed.IsCompleted)
        {
            var streamId = 0;
            try
            {
                (streamId, var answer) = await connection.SendRequestAsync(headers);
                var status = await answer.WaitAsync(TimeSpan.FromSeconds(30));
                Count(status == 200 ? "answered" : "failed", status == 200 ? null : $"stream {streamId}: status {status}");
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException)
            {
                var goAways = connection.GoAways.ToArray();
                var refused = goAways.Length > 0 && streamId > goAways[^1].LastStreamId;
                Count(refused ? "refused" : "failed", $"stream {streamId}: {ex.Message} (GOAWAYs {string.Join(", ", goAways)})");
            }
        }
    }

    private void Count(string outcome, string? error)
    {
        _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        if (error is not null && Errors.Count < 20)
        {
            Errors.Enqueue(error);
        }
    }
}
