using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Roost.Abuse;

/// <summary>
/// An HTTP/2 connection for attacks: the preface is sent, and (unless the attack must not read) a reader task takes
/// the server's frames — it acknowledges SETTINGS and remembers GOAWAY, RST_STREAM and response statuses.
/// </summary>
public sealed class H2Session : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, string> _statuses = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Task? _reader;
    private int _rstReceived;
    private int _pingAcks;
    private int _settingsAcks;

    private H2Session(Wire wire) => Wire = wire;

    public Wire Wire { get; }

    /// <summary>The GOAWAY error code the server sent, or null.</summary>
    public int? GoAwayCode { get; private set; }

    /// <summary>How the connection ended ("closed", "reset") once the reader saw it, or null while open.</summary>
    public string? Ending { get; private set; }

    public int RstReceived => Volatile.Read(ref _rstReceived);

    public int PingAcks => Volatile.Read(ref _pingAcks);

    public int SettingsAcks => Volatile.Read(ref _settingsAcks);

    /// <summary>Stream id → :status of responses received.</summary>
    public IReadOnlyDictionary<int, string> Statuses => _statuses;

    /// <summary>True once the server has sent GOAWAY or ended the connection.</summary>
    public bool Ended => GoAwayCode is not null || Ending is not null;

    /// <summary>Connects with TLS + ALPN h2, sends the preface; starts the reader when <paramref name="read"/>.</summary>
    public static async Task<H2Session> OpenAsync(Target target, bool read, CancellationToken cancellationToken)
    {
        var wire = await Wire.TlsAsync(target, "h2", cancellationToken).ConfigureAwait(false);
        var session = new H2Session(wire);
        await wire.TryWriteAsync(H2.Preface(), cancellationToken).ConfigureAwait(false);
        if (read)
        {
            session.StartReading();
        }

        return session;
    }

    /// <summary>Starts the reader (for attacks that first write without reading).</summary>
    public void StartReading() => _reader ??= Task.Run(() => ReadAsync(_stop.Token));

    public async Task<bool> WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Wire.TryWriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the server to send GOAWAY or end the connection.</summary>
    public async Task WaitForEndAsync(TimeSpan timeout)
    {
        StartReading();
        var until = DateTime.UtcNow + timeout;
        while (!Ended && DateTime.UtcNow < until)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        if (GoAwayCode is not null && Ending is null)
        {
            // After GOAWAY the server closes: give it a moment so the report says whether it did.
            var close = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            while (Ending is null && DateTime.UtcNow < close)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
        }
    }

    /// <summary>"GOAWAY ENHANCE_YOUR_CALM, closed", "reset", "open"… for the tally.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (GoAwayCode is { } code)
        {
            parts.Add("GOAWAY " + H2.ErrorName(code));
        }

        parts.Add(Ending ?? "open");
        return string.Join(", then ", parts);
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var header = new byte[9];
        try
        {
            while (true)
            {
                if (!await ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false))
                {
                    Ending = "closed";
                    return;
                }

                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var type = header[3];
                var flags = header[4];
                var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
                var payload = new byte[length];
                if (!await ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false))
                {
                    Ending = "closed";
                    return;
                }

                await OnFrameAsync(type, flags, streamId, payload, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            Ending = ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset } ? "reset" : "closed";
        }
    }

    private async Task OnFrameAsync(byte type, byte flags, int streamId, byte[] payload, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case H2.Settings when (flags & H2.Ack) == 0:
                await WriteAsync(H2.Frame(H2.Settings, H2.Ack, 0, []), cancellationToken).ConfigureAwait(false);
                break;
            case H2.Settings:
                Interlocked.Increment(ref _settingsAcks);
                break;
            case H2.Ping when (flags & H2.Ack) != 0:
                Interlocked.Increment(ref _pingAcks);
                break;
            case H2.GoAway when payload.Length >= 8:
                GoAwayCode = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
                break;
            case H2.RstStream:
                Interlocked.Increment(ref _rstReceived);
                break;
            case H2.Headers:
                var block = payload.AsSpan();
                if ((flags & 0x8) != 0 && block.Length > 0)
                {
                    block = block[1..^Math.Min(block[0], block.Length - 1)]; // PADDED
                }

                if ((flags & 0x20) != 0 && block.Length >= 5)
                {
                    block = block[5..]; // PRIORITY
                }

                _statuses.TryAdd(streamId, H2.Status(block) ?? "?");
                break;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await Wire.Stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Wire.DisposeAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            try
            {
                await _reader.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The reader is stuck in a read the disposal did not wake: it ends with the process.
            }
        }

        _stop.Dispose();
        _writeLock.Dispose();
    }
}
