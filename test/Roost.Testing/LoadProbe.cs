using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Sockets;
using System.Reflection;

namespace Roost.Testing;

/// <summary>
/// A load loop for availability checks (h2load reports 0 failed when its connections die, so it cannot measure
/// this): results are counted by kind (ok, refused, failed), and answers by body (the test hosts answer their pid).
/// By default each request opens a new connection (<c>Connection: close</c>); with <c>keepAlive: true</c> each loop
/// reuses its connection (HttpClient retries a request that failed on a reused connection before any answer, as
/// browsers do; wrk counts those resets instead). With a caller's <see cref="HttpClient"/> (one that trusts the test
/// chain's root, or speaks HTTP/2) the probe uses that client as it is; one probe may run several clients at once.
/// </summary>
public sealed class LoadProbe(bool keepAlive = false)
{
    private const int MaxErrorsKept = 20;

    /// <summary>How often one request is sent again after answers that say the server did not process it (then it is a failure).</summary>
    public const int MaxUnprocessedAttempts = 10;

    // SocketsHttpHandler's own verdict "the server did not process this request" (HttpRequestException.AllowRetry ==
    // RetryOnConnectionFailure). For HTTP/2 it is set exactly in RFC 9113's cases: a stream above a GOAWAY's
    // last-stream-id (§6.8), a stream reset with REFUSED_STREAM (§8.7), and a request whose stream was never opened
    // because the connection had shut down. The handler retries such a request on a new connection at most 3 times
    // (HttpConnectionPool.MaxConnectionFailureRetries) and then throws the last error, e.g. "The HTTP/2 server closed
    // the connection. HTTP/2 error code 'NO_ERROR'": during a rolling reload under load a request can meet 4 draining
    // connections in a row. Not public API, so it is read by reflection; a runtime without it fails loudly at the first failure.
    private static readonly PropertyInfo? AllowRetryProperty =
        typeof(HttpRequestException).GetProperty("AllowRetry", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly ConcurrentDictionary<string, int> _bodies = new();
    private int _ok;
    private int _refused;
    private int _failed;
    private int _retried;

    public int Ok => _ok;

    public int Refused => _refused;

    public int Failed => _failed;

    public int Total => _ok + _refused + _failed;

    /// <summary>
    /// Gets how many times a request was sent again because the server had not processed it (see
    /// <see cref="RetryUnprocessed"/>); not failures, and not part of <see cref="Total"/>.
    /// </summary>
    public int Retried => _retried;

    /// <summary>
    /// Gets a value indicating whether a request the server provably did not process (RFC 9113 §6.8/§8.7: above a
    /// GOAWAY's last-stream-id, or REFUSED_STREAM) is sent again, as a client may, when the handler gave up on its own
    /// retries; up to <see cref="MaxUnprocessedAttempts"/> attempts, then it is a failure. Everything else stays a
    /// failure: a stream the server may have processed (at or below the last-stream-id) that ends without a complete
    /// answer, whatever the error code (a NO_ERROR reset or close included), a reset, a timeout.
    /// </summary>
    public bool RetryUnprocessed { get; init; }

    public double SuccessRatio => Total == 0 ? 0 : (double)_ok / Total;

    public IReadOnlyDictionary<string, int> Bodies => _bodies;

    /// <summary>Gets the first 20 errors (refusals and failures), as text for the test's report.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Gets the HTTP version an answer must come in to count as ok (another version is a failure); <see langword="null"/>: any.</summary>
    public Version? RequiredVersion { get; init; }

    /// <summary>Runs <paramref name="concurrency"/> loops against <paramref name="url"/> until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(string url, int concurrency, CancellationToken cancellationToken, TimeSpan? pause = null)
    {
        using var client = new HttpClient(keepAlive ? new SocketsHttpHandler() : new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
        await RunAsync(client, url, concurrency, cancellationToken, pause);
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> loops with the caller's <paramref name="client"/> (which the caller keeps
    /// and disposes) until <paramref name="cancellationToken"/> fires. Use <c>keepAlive: true</c> for HTTP/2 clients.
    /// </summary>
    public Task RunAsync(HttpClient client, string url, int concurrency, CancellationToken cancellationToken, TimeSpan? pause = null) =>
        Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await OneAsync(client, url);
                if (pause is { } p)
                {
                    try
                    {
                        await Task.Delay(p, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }, CancellationToken.None)));

    /// <summary>Sends one request and counts its outcome (ok, refused, failed; unprocessed answers sent again when <see cref="RetryUnprocessed"/>).</summary>
    public async Task OneAsync(HttpClient client, string url)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AttemptAsync(client, url);
                return;
            }
            catch (HttpRequestException ex) when (RetryUnprocessed && attempt < MaxUnprocessedAttempts && IsUnprocessed(ex))
            {
                Interlocked.Increment(ref _retried);
            }
            catch (HttpRequestException ex) when (IsUnprocessed(ex) && RetryUnprocessed)
            {
                Record(ref _failed, $"not processed by the server in {MaxUnprocessedAttempts} attempts: {ex.HttpRequestError}: {ex.InnerException?.Message ?? ex.Message}");
                return;
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                Record(ref _refused, "connection refused");
                return;
            }
            catch (HttpRequestException ex)
            {
                Record(ref _failed, $"{ex.HttpRequestError}: {ex.InnerException?.Message ?? ex.Message}{(IsUnprocessed(ex) ? " (not processed by the server)" : string.Empty)}");
                return;
            }
            catch (TaskCanceledException)
            {
                Record(ref _failed, "timeout");
                return;
            }
        }
    }

    /// <summary>Gets a value indicating whether SocketsHttpHandler found that the server did not process the request (see <see cref="RetryUnprocessed"/>).</summary>
    public static bool IsUnprocessed(HttpRequestException exception) =>
        (AllowRetryProperty ?? throw new InvalidOperationException("HttpRequestException.AllowRetry is gone from this runtime: LoadProbe cannot tell unprocessed HTTP/2 requests from failed ones."))
            .GetValue(exception)?.ToString() == "RetryOnConnectionFailure";

    private async Task AttemptAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = client.DefaultRequestVersion,
            VersionPolicy = client.DefaultVersionPolicy,
        };
        if (!keepAlive)
        {
            request.Headers.ConnectionClose = true;
        }

        using var response = await client.SendAsync(request, CancellationToken.None);
        var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
        if (response.IsSuccessStatusCode && (RequiredVersion is null || response.Version == RequiredVersion))
        {
            Interlocked.Increment(ref _ok);
            _bodies.AddOrUpdate(body, 1, (_, n) => n + 1);
            return;
        }

        Record(ref _failed, $"status {(int)response.StatusCode} over HTTP/{response.Version}");
    }

    private void Record(ref int counter, string error)
    {
        Interlocked.Increment(ref counter);
        lock (Errors)
        {
            if (Errors.Count < MaxErrorsKept)
            {
                Errors.Add(error);
            }
        }
    }
}
