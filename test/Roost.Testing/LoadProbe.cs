using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Sockets;

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

    private readonly ConcurrentDictionary<string, int> _bodies = new();
    private int _ok;
    private int _refused;
    private int _failed;

    public int Ok => _ok;

    public int Refused => _refused;

    public int Failed => _failed;

    public int Total => _ok + _refused + _failed;

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

    private async Task OneAsync(HttpClient client, string url)
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

        try
        {
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
        catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            Record(ref _refused, "connection refused");
        }
        catch (HttpRequestException ex)
        {
            Record(ref _failed, $"{ex.HttpRequestError}: {ex.InnerException?.Message ?? ex.Message}");
        }
        catch (TaskCanceledException)
        {
            Record(ref _failed, "timeout");
        }
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
