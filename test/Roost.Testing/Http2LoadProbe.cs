using System.Net;
using System.Net.Http;
using System.Net.Security;

namespace Roost.Testing;

/// <summary>
/// A reconnecting HTTP/2 (TLS) load loop for availability checks during drains: a <see cref="LoadProbe"/> with an
/// HTTP/2 client, where an answer over another version is a failure. Its client behaves as RFC 9113 §6.8 allows:
/// after a GOAWAY it opens a new connection for new requests and retries only the streams the server did not
/// process (above the GOAWAY's last-stream-id, or reset with REFUSED_STREAM); a stream the server processed and then
/// lost is a failure. That is what <see cref="SocketsHttpHandler"/> does by itself, so these loops use it and count
/// the retries it makes with <see cref="HttpClientTelemetry"/> (separately from failures). h2load is no substitute:
/// its clients stop when their connection closes and it still reports 0 failed.
/// </summary>
public sealed class Http2LoadProbe(bool acceptAnyCertificate = false)
{
    private readonly LoadProbe _probe = new(keepAlive: true) { RequiredVersion = HttpVersion.Version20 };

    public int Ok => _probe.Ok;

    public int Refused => _probe.Refused;

    public int Failed => _probe.Failed;

    public List<string> Errors => _probe.Errors;

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
        await _probe.RunAsync(client, url, concurrency, cancellationToken);
    }
}
