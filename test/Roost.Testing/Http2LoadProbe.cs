using System.Net;
using System.Net.Http;
using System.Net.Security;

namespace Roost.Testing;

/// <summary>
/// A reconnecting HTTP/2 (TLS) load loop for availability checks during drains: a <see cref="LoadProbe"/> with an
/// HTTP/2 client, where an answer over another version is a failure. Its client behaves as RFC 9113 §6.8 allows:
/// after a GOAWAY it opens a new connection for new requests and retries only the streams the server did not
/// process (above the GOAWAY's last-stream-id, or reset with REFUSED_STREAM); a stream the server may have processed
/// (at or below the last-stream-id) that ends without a complete answer is a failure, whatever its error code.
/// <see cref="SocketsHttpHandler"/> does this by itself but gives up after 3 retries and then throws (e.g. "closed
/// the connection. HTTP/2 error code 'NO_ERROR'"), so the probe sends such a request again itself
/// (<see cref="LoadProbe.RetryUnprocessed"/>, counted in <see cref="Retried"/>); the handler's retries are counted
/// with <see cref="HttpClientTelemetry"/>. h2load is no substitute: its clients stop when their connection closes and
/// it still reports 0 failed.
/// </summary>
public sealed class Http2LoadProbe(bool acceptAnyCertificate = false)
{
    private readonly LoadProbe _probe = new(keepAlive: true) { RequiredVersion = HttpVersion.Version20, RetryUnprocessed = true };

    public int Ok => _probe.Ok;

    public int Refused => _probe.Refused;

    public int Failed => _probe.Failed;

    public List<string> Errors => _probe.Errors;

    /// <summary>Gets how many times a request the server had not processed was sent again after the handler's own 3 retries (<see cref="LoadProbe.RetryUnprocessed"/>).</summary>
    public int Retried => _probe.Retried;

    /// <summary>Runs <paramref name="concurrency"/> loops (streams multiplexed on the client's connection) until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(string url, int concurrency, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        await _probe.RunAsync(client, url, concurrency, cancellationToken);
    }

    /// <summary>Sends one request (h2c prior knowledge for http:// URLs) and counts its outcome.</summary>
    public async Task OneAsync(string url)
    {
        using var client = CreateClient();
        await _probe.OneAsync(client, url);
    }

    private HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        if (acceptAnyCertificate)
        {
            // Loopback test hosts with a throw-away self-signed certificate: the check is availability, not trust.
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        }

        return new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }
}
