using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Roost.Testing;

namespace Roost.Chaos;

/// <summary>
/// Mixed load for the chaos run: HTTP/2 connections (<see cref="RawHttp2Connection"/>, several streams each) and
/// HTTP/1.1 keep-alive connections over TLS, each request's outcome counted, nothing retried. Every connection is
/// tracked by its local port, so the driver can mark the connections a worker holds before it kills the worker
/// (<see cref="Doom"/>); a failure on a marked connection is accounted to that kill, any other is unaccounted.
/// A stream the server did not process (above a GOAWAY's last-stream-id, or RST_STREAM REFUSED_STREAM) is counted
/// as refused; any other RST_STREAM as a reset, by error code.
/// </summary>
public sealed class ChaosLoad(string host, int port, X509Certificate2 root, string path = "/healthz")
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(40);

    private readonly ConcurrentDictionary<int, Tracked> _live = new();
    private readonly ConcurrentDictionary<int, int> _resetsByCode = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentDictionary<string, int> _failuresByCause = new();
    private readonly ConcurrentQueue<string> _unaccountedErrors = new();
    private readonly ConcurrentDictionary<int, (string Cause, long At)> _doomedPorts = new();
    private readonly Counters _h2 = new();
    private readonly Counters _h1 = new();
    private long _connections;
    private long _connectFailures;
    private long _failedOnKilled;
    private long _failedUnaccounted;

    /// <summary>Gets the HTTP/2 counts.</summary>
    public Counters Http2 => _h2;

    /// <summary>Gets the HTTP/1.1 counts.</summary>
    public Counters Http1 => _h1;

    /// <summary>Gets how many connections were opened (TLS handshake done).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Gets how many connection attempts failed before any request (refused, reset or timed out handshakes).</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Gets the failed requests on connections a killed worker held (marked by <see cref="Doom"/>).</summary>
    public long FailedOnKilledWorkers => Interlocked.Read(ref _failedOnKilled);

    /// <summary>Gets the failed requests on connections no kill accounts for.</summary>
    public long FailedUnaccounted => Interlocked.Read(ref _failedUnaccounted);

    /// <summary>Gets the RST_STREAM frames the server sent on this load's streams, by error code.</summary>
    public IReadOnlyDictionary<int, int> ResetsByCode => _resetsByCode;

    /// <summary>Gets the failed requests by cause: the <c>cause</c> given to <see cref="Doom"/>, or "unaccounted".</summary>
    public IReadOnlyDictionary<string, int> FailuresByCause => _failuresByCause;

    /// <summary>Gets or sets a pause after each answered request of each loop (zero: as fast as the server answers; CI uses a few ms to spare the CPU).</summary>
    public TimeSpan Pause { get; init; }

    /// <summary>Gets the first 20 unaccounted failures, as text.</summary>
    public IReadOnlyCollection<string> UnaccountedErrors => _unaccountedErrors;

    /// <summary>Gets the first errors, as text for the report.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Gets how many connections are open now.</summary>
    public int LiveConnections => _live.Count;

    /// <summary>
    /// Marks the open connections whose local port is in <paramref name="clientPorts"/> (a worker's, read while the
    /// worker is stopped) as doomed by <paramref name="cause"/>; returns how many there are and how many requests
    /// were in flight on them at that moment.
    /// </summary>
    public (int Connections, int InFlight) Doom(IReadOnlySet<int> clientPorts, string cause)
    {
        var connections = 0;
        var inFlight = 0;
        // A port the worker holds may belong to a connection whose TLS handshake the client has not finished yet (the
        // worker sent its Finished, then froze): it is marked when the client starts tracking it.
        foreach (var clientPort in clientPorts)
        {
            _doomedPorts[clientPort] = (cause, Environment.TickCount64);
        }

        foreach (var tracked in _live.Values)
        {
            if (clientPorts.Contains(tracked.LocalPort))
            {
                tracked.Doomed = cause;
                _doomedPorts.TryRemove(tracked.LocalPort, out _);
                connections++;
                inFlight += Volatile.Read(ref tracked.InFlight);
            }
        }

        return (connections, inFlight);
    }

    /// <summary>Gets how many requests were sent on doomed connections after they were marked (the client had not seen the close yet).</summary>
    public long SentAfterDoom => Interlocked.Read(ref _sentAfterDoom);

    private long _sentAfterDoom;

    /// <summary>Runs the connections until <paramref name="stop"/> fires, then lets the requests in flight finish.</summary>
    public Task RunAsync(int h2Connections, int h2Streams, int h1Connections, CancellationToken stop) =>
        Task.WhenAll(
            Enumerable.Range(0, h2Connections).Select(_ => Task.Run(() => Http2LoopAsync(h2Streams, stop), CancellationToken.None))
                .Concat(Enumerable.Range(0, h1Connections).Select(_ => Task.Run(() => Http1LoopAsync(stop), CancellationToken.None))));

    private async Task Http2LoopAsync(int streams, CancellationToken stop)
    {
        var headers = RawHttp2Connection.RequestHeaders($"{host}:{port}", path);
        while (!stop.IsCancellationRequested)
        {
            RawHttp2Connection connection;
            try
            {
                using var timeout = new CancellationTokenSource(ConnectTimeout);
                connection = await RawHttp2Connection.ConnectAsync(host, port, root, timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                await ConnectFailedAsync("h2", ex);
                continue;
            }

            await using (connection)
            {
                var tracked = Track(connection.LocalPort, "h2");
                try
                {
                    await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => StreamLoopAsync(connection, tracked, headers, stop)));
                }
                finally
                {
                    _live.TryRemove(tracked.LocalPort, out _);
                }
            }
        }
    }

    private async Task StreamLoopAsync(RawHttp2Connection connection, Tracked tracked, byte[] headers, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && connection.GoAways.Count == 0 && !connection.Closed.IsCompleted)
        {
            Sending(tracked, _h2);
            var streamId = 0;
            try
            {
                (streamId, var answer) = await connection.SendRequestAsync(headers);
                var status = await answer.WaitAsync(RequestTimeout);
                Done(tracked);
                if (status == 200)
                {
                    Interlocked.Increment(ref _h2.Answered);
                    await PauseAsync();
                }
                else
                {
                    Failed(tracked, _h2, $"h2 stream {streamId}: status {status}");
                }
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException)
            {
                Done(tracked);
                var reset = ResetCode(ex.Message);
                var goAways = connection.GoAways.ToArray();
                if (reset == RawHttp2Connection.RefusedStream || (reset is null && streamId > 0 && goAways.Length > 0 && streamId > goAways[^1].LastStreamId))
                {
                    Interlocked.Increment(ref _h2.Refused);
                    Error($"h2 stream {streamId} refused: {ex.Message} (GOAWAYs {string.Join(", ", goAways)}){DoomText(tracked)}");
                    continue;
                }

                if (reset is { } code)
                {
                    _resetsByCode.AddOrUpdate(code, 1, (_, n) => n + 1);
                }

                Failed(tracked, _h2, $"h2 stream {streamId}: {ex.Message} (GOAWAYs {string.Join(", ", goAways)})");
            }
        }
    }

    private async Task Http1LoopAsync(CancellationToken stop)
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n");
        var buffer = new byte[16 * 1024];
        while (!stop.IsCancellationRequested)
        {
            var tcp = new TcpClient { NoDelay = true };
            SslStream tls;
            Tracked tracked;
            try
            {
                using var timeout = new CancellationTokenSource(ConnectTimeout);
                await tcp.ConnectAsync(host, port, timeout.Token);
                tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(ClientOptions(SslApplicationProtocol.Http11), timeout.Token);
                tracked = Track(((System.Net.IPEndPoint)tcp.Client.LocalEndPoint!).Port, "h1");
            }
            catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or OperationCanceledException)
            {
                tcp.Dispose();
                await ConnectFailedAsync("h1", ex);
                continue;
            }

            try
            {
                var filled = 0;
                while (!stop.IsCancellationRequested)
                {
                    Sending(tracked, _h1);
                    bool keepAlive;
                    try
                    {
                        using var timeout = new CancellationTokenSource(RequestTimeout);
                        await tls.WriteAsync(request, timeout.Token);
                        (var status, keepAlive, filled) = await ReadResponseAsync(tls, buffer, filled, timeout.Token);
                        Done(tracked);
                        if (status == 200)
                        {
                            Interlocked.Increment(ref _h1.Answered);
                            await PauseAsync();
                        }
                        else
                        {
                            Failed(tracked, _h1, $"h1: status {status}");
                        }
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
                    {
                        Done(tracked);
                        Failed(tracked, _h1, $"h1 (port {tracked.LocalPort}): {(ex is OperationCanceledException ? "no answer within " + RequestTimeout.TotalSeconds + " s" : ex.Message)}");
                        break;
                    }

                    if (!keepAlive)
                    {
                        break;
                    }
                }
            }
            finally
            {
                _live.TryRemove(tracked.LocalPort, out _);
                await tls.DisposeAsync();
                tcp.Dispose();
            }
        }
    }

    /// <summary>Reads one response (status line, headers, Content-Length or chunked body); returns the status, whether the connection stays open, and the bytes of the next response already read.</summary>
    private static async Task<(int Status, bool KeepAlive, int Filled)> ReadResponseAsync(SslStream tls, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled = await FillAsync(tls, buffer, filled, cancellationToken);
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headerEnd).Split("\r\n");
        var statusParts = head[0].Split(' ');
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidDataException($"Not an HTTP/1.1 status line: '{head[0]}'.");
        }

        long length = 0;
        var chunked = false;
        var keepAlive = true;
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Contains("close", StringComparison.OrdinalIgnoreCase))
            {
                keepAlive = false;
            }
        }

        var consumed = headerEnd + 4;
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = buffer.AsSpan(consumed, filled - consumed).IndexOf("\r\n"u8)) < 0)
                {
                    (consumed, filled) = Compact(buffer, consumed, filled);
                    filled = await FillAsync(tls, buffer, filled, cancellationToken);
                }

                var size = int.Parse(Encoding.ASCII.GetString(buffer, consumed, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                consumed += lineEnd + 2;
                (consumed, filled) = await SkipAsync(tls, buffer, consumed, filled, size + 2, cancellationToken);
                if (size == 0)
                {
                    break;
                }
            }
        }
        else
        {
            (consumed, filled) = await SkipAsync(tls, buffer, consumed, filled, length, cancellationToken);
        }

        var rest = filled - consumed;
        Buffer.BlockCopy(buffer, consumed, buffer, 0, rest);
        return (status, keepAlive, rest);
    }

    private static async Task<(int Consumed, int Filled)> SkipAsync(SslStream tls, byte[] buffer, int consumed, int filled, long count, CancellationToken cancellationToken)
    {
        while (filled - consumed < count)
        {
            count -= filled - consumed;
            consumed = 0;
            filled = await FillAsync(tls, buffer, 0, cancellationToken);
        }

        return (consumed + (int)count, filled);
    }

    private static (int Consumed, int Filled) Compact(byte[] buffer, int consumed, int filled)
    {
        Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
        return (0, filled - consumed);
    }

    private static async Task<int> FillAsync(SslStream tls, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        if (filled == buffer.Length)
        {
            throw new InvalidDataException("An HTTP/1.1 response head longer than 16 KB.");
        }

        var n = await tls.ReadAsync(buffer.AsMemory(filled), cancellationToken);
        if (n == 0)
        {
            throw new IOException("The server closed the connection before the response ended.");
        }

        return filled + n;
    }

    private SslClientAuthenticationOptions ClientOptions(SslApplicationProtocol protocol) => new()
    {
        TargetHost = host,
        ApplicationProtocols = [protocol],
        CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { root },
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        },
    };

    private Task PauseAsync() => Pause > TimeSpan.Zero ? Task.Delay(Pause, CancellationToken.None) : Task.CompletedTask;

    private static int? ResetCode(string message)
    {
        const string Marker = "was reset with error code ";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        return at >= 0 && int.TryParse(message.AsSpan(at + Marker.Length).TrimEnd('.'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
    }

    private static string DoomText(Tracked tracked) => tracked.Doomed is { } cause ? $" [on a connection of {cause}]" : string.Empty;

    private Tracked Track(int localPort, string protocol)
    {
        Interlocked.Increment(ref _connections);
        var tracked = new Tracked(localPort, protocol);
        // Within a minute of the kill: later, the port may have been reused by an unrelated connection.
        if (_doomedPorts.TryRemove(localPort, out var doomed) && Environment.TickCount64 - doomed.At < 60_000)
        {
            tracked.Doomed = doomed.Cause;
        }

        _live[localPort] = tracked;
        return tracked;
    }

    private void Sending(Tracked tracked, Counters counters)
    {
        Interlocked.Increment(ref counters.Sent);
        Interlocked.Increment(ref tracked.InFlight);
        if (tracked.Doomed is not null)
        {
            Interlocked.Increment(ref _sentAfterDoom);
        }
    }

    private static void Done(Tracked tracked) => Interlocked.Decrement(ref tracked.InFlight);

    private void Failed(Tracked tracked, Counters counters, string error)
    {
        Interlocked.Increment(ref counters.Failed);
        _failuresByCause.AddOrUpdate(tracked.Doomed ?? "unaccounted", 1, (_, n) => n + 1);
        if (tracked.Doomed is not null)
        {
            Interlocked.Increment(ref _failedOnKilled);
        }
        else
        {
            Interlocked.Increment(ref _failedUnaccounted);
            if (_unaccountedErrors.Count < 20)
            {
                _unaccountedErrors.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {error}");
            }
        }

        Error(error + DoomText(tracked));
    }

    private async Task ConnectFailedAsync(string protocol, Exception ex)
    {
        Interlocked.Increment(ref _connectFailures);
        Error($"{protocol} connect: {ex.GetType().Name}: {ex.Message}");
        await Task.Delay(50, CancellationToken.None);
    }

    private void Error(string text)
    {
        if (_errors.Count < 40)
        {
            _errors.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {text}");
        }
    }

    /// <summary>Request counts of one protocol.</summary>
    public sealed class Counters
    {
        internal long Sent;
        internal long Answered;
        internal long Refused;
        internal long Failed;

        public long SentCount => Interlocked.Read(ref Sent);

        public long AnsweredCount => Interlocked.Read(ref Answered);

        public long RefusedCount => Interlocked.Read(ref Refused);

        public long FailedCount => Interlocked.Read(ref Failed);
    }

    private sealed class Tracked(int localPort, string protocol)
    {
        public int InFlight;

        public int LocalPort { get; } = localPort;

        public string Protocol { get; } = protocol;

        public volatile string? Doomed;
    }
}
