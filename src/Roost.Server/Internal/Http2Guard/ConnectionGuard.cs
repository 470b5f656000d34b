using System.IO.Pipelines;

namespace Roost.Server.Internal.Http2Guard;

/// <summary>What an HTTP/2 connection was closed for.</summary>
internal enum Http2Abuse
{
    None,
    RapidReset,
    ContinuationFlood,
    EmptyFrameFlood,
    ControlFrameFlood,
}

/// <summary>
/// One HTTP/2 connection under <see cref="Http2ConnectionGuard"/>: its decrypted transport (<see cref="GuardedInput"/>,
/// <see cref="GuardedOutput"/>) and the per-connection counts the input frames are checked against.
/// </summary>
internal sealed class ConnectionGuard : IDuplexPipe
{
    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4).</summary>
    public const int ClientPrefaceLength = 24;

    /// <summary>How long an abusive connection is read and dropped after its GOAWAY before it is closed.</summary>
    public static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    // RFC 9113 §6 frame types and flags.
    private const byte Data = 0x0;
    private const byte Headers = 0x1;
    private const byte RstStream = 0x3;
    private const byte Settings = 0x4;
    private const byte Ping = 0x6;
    private const byte Continuation = 0x9;
    private const byte EndStream = 0x1;
    private const byte Ack = 0x1;
    private const byte EndHeaders = 0x4;

    private readonly Http2GuardLimits _limits;
    private TokenBucket _resets;
    private TokenBucket _emptyFrames;
    private TokenBucket _controlFrames;
    // CONTINUATION frames in the current header block; -1 outside a block.
    private int _continuations = -1;
    private int _highestStreamId;
    private Task _goAwayWritten = Task.CompletedTask;
    // Streams the client opened that the server has not ended yet (END_STREAM or RST_STREAM either way).
    private readonly HashSet<int> _openStreams = [];
    private readonly Lock _streamsGate = new();

    public ConnectionGuard(IDuplexPipe transport, Http2GuardLimits limits, string remote)
    {
        _limits = limits;
        Remote = remote;
        var now = Environment.TickCount64;
        _resets = new TokenBucket(limits.StreamResetBurst, limits.StreamResetsPerSecond, now);
        _emptyFrames = new TokenBucket(limits.EmptyFrameBurst, limits.EmptyFramesPerSecond, now);
        _controlFrames = new TokenBucket(limits.ControlFrameBurst, limits.ControlFramesPerSecond, now);
        Output = new GuardedOutput(transport.Output, this);
        Input = new GuardedInput(transport.Input, this);
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>Gets the client's address, for the log.</summary>
    public string Remote { get; }

    /// <summary>Gets what the connection was closed for, or <see cref="Http2Abuse.None"/>.</summary>
    public Http2Abuse Abuse { get; private set; }

    /// <summary>Gets the counts behind <see cref="Abuse"/>, for the log (frames of that kind seen before the close).</summary>
    public long AbuseCount { get; private set; }

    /// <summary>Gets how many RST_STREAM frames the client sent.</summary>
    public long Resets { get; private set; }

    /// <summary>Gets how many frames the client sent.</summary>
    public long Frames { get; private set; }

    /// <summary>Gets a value indicating whether the graceful GOAWAY (last stream id 2^31−1) was sent.</summary>
    public bool GracefulGoAwaySent { get; private set; }

    internal GuardedOutput GuardedOutput => (GuardedOutput)Output;

    /// <summary>Gets how many streams the client opened that the server has not ended (answered or reset) yet.</summary>
    public int OpenStreams
    {
        get
        {
            lock (_streamsGate)
            {
                return _openStreams.Count;
            }
        }
    }

    /// <summary>Follows the server's frames: a stream ends with END_STREAM (HEADERS or DATA) or RST_STREAM.</summary>
    internal void OnOutputFrame(byte type, byte flags, int streamId)
    {
        if (streamId != 0 && (type == RstStream || ((type == Headers || type == Data) && (flags & EndStream) != 0)))
        {
            lock (_streamsGate)
            {
                _openStreams.Remove(streamId);
            }
        }
    }

    /// <summary>Sends GOAWAY(2^31−1, NO_ERROR): the client opens no new stream here, the ones in flight are still served.</summary>
    public bool SendGracefulGoAway()
    {
        if (GracefulGoAwaySent || Abuse != Http2Abuse.None)
        {
            return false;
        }

        GracefulGoAwaySent = true;
        _ = GuardedOutput.InjectGoAway(int.MaxValue, 0, endsConnection: false);
        return true;
    }

    /// <summary>Checks one frame from the client; <see langword="false"/> rejects it and ends the connection.</summary>
    internal bool OnInputFrame(byte type, byte flags, int streamId, int length)
    {
        Frames++;
        var abuse = Http2Abuse.None;
        long count = 0;
        switch (type)
        {
            case Headers:
                if (streamId > _highestStreamId)
                {
                    lock (_streamsGate)
                    {
                        _openStreams.Add(streamId);
                    }
                }

                _highestStreamId = Math.Max(_highestStreamId, streamId);
                _continuations = (flags & EndHeaders) == 0 ? 0 : -1;
                if (length == 0 && (flags & EndStream) == 0 && !_emptyFrames.TryTake(Environment.TickCount64))
                {
                    (abuse, count) = (Http2Abuse.EmptyFrameFlood, _emptyFrames.Taken);
                }

                break;
            case Continuation:
                if (_continuations >= 0 && ++_continuations > _limits.MaxContinuationFrames && _limits.MaxContinuationFrames > 0)
                {
                    (abuse, count) = (Http2Abuse.ContinuationFlood, _continuations);
                }

                if ((flags & EndHeaders) != 0)
                {
                    _continuations = -1;
                }

                break;
            case RstStream:
                Resets++;
                lock (_streamsGate)
                {
                    _openStreams.Remove(streamId);
                }

                if (!_resets.TryTake(Environment.TickCount64))
                {
                    (abuse, count) = (Http2Abuse.RapidReset, Resets);
                }

                break;
            case Data:
                if (length == 0 && (flags & EndStream) == 0 && !_emptyFrames.TryTake(Environment.TickCount64))
                {
                    (abuse, count) = (Http2Abuse.EmptyFrameFlood, _emptyFrames.Taken);
                }

                break;
            case Settings or Ping:
                if ((flags & Ack) == 0 && !_controlFrames.TryTake(Environment.TickCount64))
                {
                    (abuse, count) = (Http2Abuse.ControlFrameFlood, _controlFrames.Taken);
                }

                break;
        }

        if (abuse == Http2Abuse.None)
        {
            return true;
        }

        Abuse = abuse;
        AbuseCount = count;
        // RFC 9113 §5.4.1: GOAWAY with the last stream the server may have processed, ENHANCE_YOUR_CALM (0xb).
        _goAwayWritten = GuardedOutput.InjectGoAway(_highestStreamId, 0xb, endsConnection: true);
        return false;
    }

    /// <summary>
    /// The lingering close after abuse, while Kestrel waits for its next read: wait until the GOAWAY is written and
    /// flushed, then read and drop what the client still sends until it closes, at most <see cref="LingerTime"/>.
    /// Closing with unread input makes the kernel answer with a TCP reset, which can destroy the GOAWAY before the
    /// client reads it (nginx's lingering close does the same).
    /// </summary>
    internal async Task LingerAsync(PipeReader input)
    {
        using var linger = new CancellationTokenSource(LingerTime);
        try
        {
            await _goAwayWritten.WaitAsync(linger.Token).ConfigureAwait(false);
            await GuardedOutput.InjectedFlushTask.WaitAsync(linger.Token).ConfigureAwait(false);
            while (true)
            {
                var result = await input.ReadAsync(linger.Token).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Linger over (time, or the client reset): Kestrel now ends the connection.
        }
    }

    /// <summary>Passes output frame headers to <see cref="OnOutputFrame"/> without boxing.</summary>
    internal readonly struct OutputSink(ConnectionGuard guard) : Http2FrameScanner.IFrameSink
    {
        public bool OnFrame(byte type, byte flags, int streamId, int length)
        {
            guard.OnOutputFrame(type, flags, streamId);
            return true;
        }
    }

    /// <summary>Passes input frame headers to <see cref="OnInputFrame"/> without boxing.</summary>
    internal readonly struct InputSink(ConnectionGuard guard) : Http2FrameScanner.IFrameSink
    {
        public bool OnFrame(byte type, byte flags, int streamId, int length) => guard.OnInputFrame(type, flags, streamId, length);
    }

    /// <summary>A token bucket: <c>burst</c> tokens, refilled at <c>perSecond</c>; counts what it handed out.</summary>
    private struct TokenBucket(int burst, int perSecond, long now)
    {
        private double _tokens = burst;
        private long _last = now;

        public long Taken { get; private set; }

        public bool TryTake(long now)
        {
            Taken++;
            if (burst <= 0)
            {
                // Disabled.
                return true;
            }

            _tokens = Math.Min(burst, _tokens + ((now - _last) * perSecond / 1000.0));
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
