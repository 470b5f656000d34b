using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Roost.Abuse;

/// <summary>
/// The well-behaved client: a GET every 100 ms, alternately over HTTP/2 and HTTP/1.1 (TLS), each with a 5 s timeout;
/// pooled connections are renewed every 2 s so new handshakes are part of what is probed.
/// </summary>
public sealed class Probe : IAsyncDisposable
{
    private readonly HttpClient _h2;
    private readonly HttpClient _h1;
    private readonly Uri _uri;
    private readonly ConcurrentQueue<(DateTime At, bool Ok, double Ms)> _results = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public Probe(Target target)
    {
        _uri = new Uri($"https://{target.Authority}:{target.Port}/");
        _h2 = Client(target, HttpVersion.Version20);
        _h1 = Client(target, HttpVersion.Version11);
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Success share and p99 of the requests sent between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public ProbeWindow Window(DateTime from, DateTime to)
    {
        var inWindow = _results.Where(r => r.At >= from && r.At < to).ToList();
        var latencies = inWindow.Where(r => r.Ok).Select(r => r.Ms).Order().ToList();
        var p99 = latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.99) - 1)];
        return new ProbeWindow(inWindow.Count, inWindow.Count(r => r.Ok), p99);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var http2 = true;
        var inFlight = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            inFlight.Add(OneAsync(http2 ? _h2 : _h1, cancellationToken));
            inFlight.RemoveAll(t => t.IsCompleted);
            http2 = !http2;
            await Task.WhenAny(Task.Delay(100, cancellationToken)).ConfigureAwait(false);
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task OneAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var at = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        var ok = false;
        try
        {
            using var response = await client.GetAsync(_uri, cancellationToken).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            ok = response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            // Counted as a failure (timeout, refused, reset).
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            _results.Enqueue((at, ok, watch.Elapsed.TotalMilliseconds));
        }
    }

    private static HttpClient Client(Target target, Version version)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
            ConnectCallback = async (context, token) =>
            {
                // Connect to the target's address whatever the URL's host name (localhost for SNI and :authority).
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(target.Host, target.Port, token).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler)
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(5),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _h1.Dispose();
        _h2.Dispose();
        _stop.Dispose();
    }
}

/// <summary>What the probe saw in a time window.</summary>
public sealed record ProbeWindow(int Sent, int Succeeded, double P99Ms)
{
    public double SuccessRate => Sent == 0 ? double.NaN : (double)Succeeded / Sent;

    public override string ToString() => Sent == 0 ? "-" :
        FormattableString.Invariant($"{100.0 * Succeeded / Sent:0.#}% ({Succeeded}/{Sent}), p99 {(double.IsNaN(P99Ms) ? "-" : P99Ms.ToString("0", System.Globalization.CultureInfo.InvariantCulture))} ms");
}
