using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Roost.Testing;

/// <summary>
/// A small HTTP/2 client over TLS (ALPN h2) that writes frames as given — including the ones a well-behaved client
/// never sends — and reports what the server sent back: GOAWAY frames with their error codes, RST_STREAM codes,
/// response statuses, and how the connection ended (FIN or TCP reset). For abuse tests (Rapid Reset, CONTINUATION
/// floods) and for watching a graceful close frame by frame. Header blocks are HPACK literals written by hand
/// (<see cref="RequestHeaders"/>); response headers are only read as far as <c>:status</c>.
/// </summary>
public sealed class RawHttp2Connection : IAsyncDisposable
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte Continuation = 0x9;
    public const byte EndStream = 0x1;
    public const byte EndHeaders = 0x4;
    public const int NoError = 0x0;
    public const int Cancel = 0x8;
    public const int RefusedStream = 0x7;
    public const int EnhanceYourCalm = 0xb;

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<int>> _streams = new();
    private readonly ConcurrentQueue<(int LastStreamId, int ErrorCode)> _goAways = new();
    private readonly ConcurrentDictionary<int, int> _resetsByCode = new();
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly TaskCompletionSource<(int LastStreamId, int ErrorCode)> _firstGoAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _settingsAcknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private int _nextStreamId = 1;
    private int _responses;

    private RawHttp2Connection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Gets the GOAWAY frames received, in order.</summary>
    public IReadOnlyCollection<(int LastStreamId, int ErrorCode)> GoAways => _goAways;

    /// <summary>Completes with the first GOAWAY received.</summary>
    public Task<(int LastStreamId, int ErrorCode)> FirstGoAway => _firstGoAway.Task;

    /// <summary>Completes when the connection ended: "eof" (the server closed cleanly), "reset" (TCP RST), or the error.</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>Gets how many RST_STREAM frames the server sent, by error code.</summary>
    public IReadOnlyDictionary<int, int> ResetsByCode => _resetsByCode;

    /// <summary>Gets or sets a value indicating whether received DATA is not answered with WINDOW_UPDATE (for floods that keep a header block open).</summary>
    public bool SuppressWindowUpdates { get; set; }

    /// <summary>Gets the client's local port (to find the connection in the server's socket table).</summary>
    public int LocalPort => ((System.Net.IPEndPoint)_tcp.Client.LocalEndPoint!).Port;

    /// <summary>Gets how many responses ended (END_STREAM from the server).</summary>
    public int Responses => _responses;

    /// <summary>Opens a TLS connection offering only h2, trusting <paramref name="root"/> (or any certificate when null), and sends the preface and an empty SETTINGS.</summary>
    public static async Task<RawHttp2Connection> ConnectAsync(string host, int port, X509Certificate2? root, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions { TargetHost = host, ApplicationProtocols = [SslApplicationProtocol.Http2] };
            if (root is null)
            {
                options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
            }
            else
            {
                options.CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { root },
                    RevocationMode = X509RevocationMode.NoCheck,
                    DisableCertificateDownloads = true,
                };
            }

            await tls.AuthenticateAsClientAsync(options, cancellationToken);
            if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
            {
                throw new InvalidOperationException($"The server at {host}:{port} did not negotiate h2 (ALPN '{tls.NegotiatedApplicationProtocol}').");
            }

            await tls.WriteAsync(Preface, cancellationToken);
            var connection = new RawHttp2Connection(tcp, tls);
            await connection.SendFrameAsync(Settings, 0, 0, ReadOnlyMemory<byte>.Empty);
            // The server's SETTINGS is acknowledged before the caller writes anything: an ACK written later could land
            // inside a header block the caller leaves open (a CONTINUATION flood), which the server must reject.
            await Task.WhenAny(connection._settingsAcknowledged.Task, connection._closed.Task).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return connection;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>An HPACK header block for <c>GET https://{authority}{path}</c>, all literals without Huffman coding.</summary>
    public static byte[] RequestHeaders(string authority, string path = "/")
    {
        var block = new List<byte>
        {
            0x82, // :method GET (static index 2)
            0x87, // :scheme https (static index 7)
        };
        AddLiteral(block, 4, path); // :path, literal without indexing, indexed name 4
        AddLiteral(block, 1, authority); // :authority, indexed name 1
        return [.. block];

        static void AddLiteral(List<byte> block, byte nameIndex, string value)
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            if (bytes.Length >= 127)
            {
                throw new ArgumentException("Header values of 127 bytes or more are not supported here.", nameof(value));
            }

            block.Add(nameIndex);
            block.Add((byte)bytes.Length);
            block.AddRange(bytes);
        }
    }

    /// <summary>Takes the next client stream id (odd, increasing).</summary>
    public int NextStreamId() => Interlocked.Add(ref _nextStreamId, 2) - 2;

    /// <summary>Sends a GET and waits for the response's end: returns the status, or throws naming the reset code or the close.</summary>
    public async Task<int> GetAsync(string authority, string path, TimeSpan timeout)
    {
        var (_, answer) = await SendRequestAsync(RequestHeaders(authority, path));
        return await answer.WaitAsync(timeout);
    }

    /// <summary>
    /// Sends a request (HEADERS with END_STREAM and END_HEADERS) on a new stream; returns its id and a task that
    /// completes with the status when the response ends. The id is taken under the write lock: streams must reach the
    /// server in increasing order (RFC 9113 §5.1.1), or the server ends the connection with STREAM_CLOSED/PROTOCOL_ERROR.
    /// </summary>
    public async Task<(int StreamId, Task<int> Answer)> SendRequestAsync(byte[] headerBlock)
    {
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var frame = new byte[9 + headerBlock.Length];
        headerBlock.CopyTo(frame, 9);
        await _writeLock.WaitAsync();
        try
        {
            var streamId = NextStreamId();
            WriteHeader(frame, Headers, EndStream | EndHeaders, streamId, headerBlock.Length);
            _streams[streamId] = answer;
            await _tls.WriteAsync(frame);
            await _tls.FlushAsync();
            return (streamId, answer.Task);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends a request whose header block is split: HEADERS (with END_STREAM, without END_HEADERS) carrying the whole
    /// block, then <paramref name="continuations"/> empty CONTINUATION frames, the last with END_HEADERS when
    /// <paramref name="endHeaders"/> (else the block stays open: a CONTINUATION flood). Returns the stream id and a task
    /// that completes with the status when the response ends.
    /// </summary>
    public async Task<(int StreamId, Task<int> Answer)> SendSplitRequestAsync(byte[] headerBlock, int continuations, bool endHeaders)
    {
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = new byte[9 + headerBlock.Length + (9 * continuations)];
        headerBlock.CopyTo(frames, 9);
        await _writeLock.WaitAsync();
        try
        {
            var streamId = NextStreamId();
            WriteHeader(frames, Headers, (byte)(EndStream | (continuations == 0 && endHeaders ? EndHeaders : 0)), streamId, headerBlock.Length);
            for (var i = 0; i < continuations; i++)
            {
                var last = i == continuations - 1;
                WriteHeader(frames.AsSpan(9 + headerBlock.Length + (9 * i)), Continuation, last && endHeaders ? EndHeaders : (byte)0, streamId, 0);
            }

            _streams[streamId] = answer;
            await _tls.WriteAsync(frames);
            await _tls.FlushAsync();
            return (streamId, answer.Task);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Waits until the server sends GOAWAY or closes: returns <c>GOAWAY &lt;error code&gt;</c> (<c>GOAWAY 11</c>:
    /// ENHANCE_YOUR_CALM), <c>closed (how) without GOAWAY</c>, or <c>open after …</c> when neither came in time.
    /// </summary>
    public async Task<string> WaitForEndAsync(TimeSpan timeout)
    {
        var ended = await Task.WhenAny(_firstGoAway.Task, _closed.Task, Task.Delay(timeout));
        return ended == _firstGoAway.Task ? $"GOAWAY {(await _firstGoAway.Task).ErrorCode}"
            : ended == _closed.Task ? $"closed ({await _closed.Task}) without GOAWAY"
            : $"open after {timeout.TotalSeconds:F0} s";
    }

    /// <summary>Writes one frame (9-byte header and payload) and flushes.</summary>
    public async Task SendFrameAsync(byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        WriteHeader(frame, type, flags, streamId, payload.Length);
        payload.CopyTo(frame.AsMemory(9));
        await SendRawAsync(frame);
    }

    /// <summary>Writes bytes as they are (several frames at once, for floods) and flushes.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _tls.WriteAsync(bytes);
            await _tls.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a frame header into <paramref name="destination"/> (RFC 9113 §4.1).</summary>
    public static void WriteHeader(Span<byte> destination, byte type, byte flags, int streamId, int length)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = type;
        destination[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId & int.MaxValue);
    }

    /// <summary>A HEADERS frame for stream <paramref name="streamId"/> followed by RST_STREAM(CANCEL): one Rapid Reset round.</summary>
    public static byte[] HeadersThenReset(int streamId, byte[] headerBlock)
    {
        var bytes = new byte[9 + headerBlock.Length + 9 + 4];
        WriteHeader(bytes, Headers, EndStream | EndHeaders, streamId, headerBlock.Length);
        headerBlock.CopyTo(bytes, 9);
        var reset = bytes.AsSpan(9 + headerBlock.Length);
        WriteHeader(reset, RstStream, 0, streamId, 4);
        BinaryPrimitives.WriteInt32BigEndian(reset[9..], Cancel);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _tls.DisposeAsync();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The reader is stuck in a read the disposal did not end; it ends with the process.
        }

        _writeLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var header = new byte[9];
        try
        {
            while (true)
            {
                if (!await ReadExactlyAsync(header))
                {
                    _closed.TrySetResult("eof");
                    break;
                }

                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var type = header[3];
                var flags = header[4];
                var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
                var payload = new byte[length];
                if (!await ReadExactlyAsync(payload))
                {
                    _closed.TrySetResult("eof");
                    break;
                }

                try
                {
                    await OnFrameAsync(type, flags, streamId, payload);
                }
                catch (IOException)
                {
                    // An answer (SETTINGS/PING ACK, WINDOW_UPDATE) could not be written: the server closed its side or
                    // reset. Keep reading what it sent before (a GOAWAY, typically).
                }
            }
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            _closed.TrySetResult("reset");
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            _closed.TrySetResult(ex.GetType().Name + ": " + ex.Message);
        }
        finally
        {
            foreach (var stream in _streams.Values)
            {
                stream.TrySetException(new IOException($"The connection ended ({(_closed.Task.IsCompleted ? _closed.Task.Result : "?")}) before the response."));
            }
        }
    }

    private async Task OnFrameAsync(byte type, byte flags, int streamId, byte[] payload)
    {
        switch (type)
        {
            case Settings when (flags & 0x1) == 0:
                await SendFrameAsync(Settings, 0x1, 0, ReadOnlyMemory<byte>.Empty);
                _settingsAcknowledged.TrySetResult();
                break;
            case Ping when (flags & 0x1) == 0:
                await SendFrameAsync(Ping, 0x1, 0, payload);
                break;
            case GoAway:
                var goAway = (BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)));
                _goAways.Enqueue(goAway);
                _firstGoAway.TrySetResult(goAway);
                break;
            case RstStream:
                var code = BinaryPrimitives.ReadInt32BigEndian(payload);
                _resetsByCode.AddOrUpdate(code, 1, (_, n) => n + 1);
                if (_streams.TryRemove(streamId, out var reset))
                {
                    reset.TrySetException(new IOException($"Stream {streamId} was reset with error code {code}."));
                }

                break;
            case Headers:
                if (_streams.TryGetValue(streamId, out var answer) && !answer.Task.IsCompleted)
                {
                    // Only :status is read; Kestrel sends it first (indexed 0x88-0x8e, or a literal with indexed name 8).
                    _statuses[streamId] = Status(payload, flags);
                }

                if ((flags & EndStream) != 0)
                {
                    EndOf(streamId);
                }

                break;
            case Data:
                if (payload.Length > 0 && !SuppressWindowUpdates)
                {
                    // Keep the server's windows open: give back what was received, on the stream and the connection.
                    var increment = new byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(increment, payload.Length);
                    await SendFrameAsync(WindowUpdate, 0, 0, increment);
                }

                if ((flags & EndStream) != 0)
                {
                    EndOf(streamId);
                }

                break;
        }
    }

    private void EndOf(int streamId)
    {
        Interlocked.Increment(ref _responses);
        if (_streams.TryRemove(streamId, out var answer))
        {
            answer.TrySetResult(_statuses.TryRemove(streamId, out var status) ? status : 0);
        }
    }

    private static int Status(byte[] block, byte flags)
    {
        var index = (flags & 0x8) != 0 ? 1 : 0; // PADDED: pad length first
        if ((flags & 0x20) != 0)
        {
            index += 5; // PRIORITY
        }

        var first = block[index];
        int[] indexed = [200, 204, 206, 304, 400, 404, 500];
        if (first is >= 0x88 and <= 0x8e)
        {
            return indexed[first - 0x88];
        }

        // A literal with name index 8 (:status): 0x48 (incremental indexing) or 0x08 (without indexing), then the value.
        if ((first & 0x3f) == 8 || (first & 0x0f) == 8)
        {
            var length = block[index + 1] & 0x7f;
            return int.Parse(Encoding.ASCII.GetString(block, index + 2, length), System.Globalization.CultureInfo.InvariantCulture);
        }

        return -1;
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _tls.ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
