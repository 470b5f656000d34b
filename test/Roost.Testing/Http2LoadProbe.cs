using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;

namespace Roost.Testing;

/// <summary>
/// A reconnecting HTTP/2 (TLS) load loop for availability checks during drains. Its client behaves as RFC 9113 §6.8
/// allows: after a GOAWAY it opens a new connection for new requests and retries only the streams the server did not
/// process (above the GOAWAY's last-stream-id, or reset with REFUSED_STREAM); a stream the server processed and then
/// lost is a failure. That is what <see cref="SocketsHttpHandler"/> does by itself, so these loops use it and count
/// the retries it makes with <see cref="HttpClientTelemetry"/> (separately from failures). h2load is no substitute:
/// its clients stop when their connection closes and it still reports 0 failed.
/// </summary>
public sealed class Http2LoadProbe(bool acceptAnyCertificate = false)
{
    private int _ok;
    private int _refused;
    private int _failed;

    public int Ok => _ok;

    public int Refused => _refused;

    public int Failed => _failed;

    public List<string> Errors { get; } = [];

    /// <summary>Runs <paramref name="concurrency"/> loops (streams multiplexed on the client's connection) until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(string url, int concurrency, CancellationToken cancellationToken)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        if (acceptAnyCertificate)
        {
            // Loopback test hosts with a throw-away self-signed certificate: the check is availability, not trust.
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        }

        using var client = new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await OneAsync(client, url);
            }
        }, CancellationToken.None)));
    }

    private async Task OneAsync(HttpClient client, string url)
    {
        try
        {
            using var response = await client.GetAsync(url, CancellationToken.None);
            _ = await response.Content.ReadAsStringAsync(CancellationToken.None);
            if (response.IsSuccessStatusCode && response.Version == HttpVersion.Version20)
            {
                Interlocked.Increment(ref _ok);
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
            if (Errors.Count < 20)
            {
                Errors.Add(error);
            }
        }
    }
}
