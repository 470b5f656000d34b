using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Roost.Server.Internal.Http2Guard;

/// <summary>
/// The decrypted output of one HTTP/2 connection, between Kestrel's frame writer and the TLS stream: it passes
/// Kestrel's writes through unchanged, follows their frame boundaries, and can put a GOAWAY frame between two of
/// Kestrel's frames.
/// </summary>
/// <remarks>
/// <para>Why it is safe: Kestrel's <c>Http2FrameWriter</c> writes through its own <c>ConcurrentPipeWriter</c>, so calls
/// reach this writer one at a time and never while one of Kestrel's flushes is in flight. A frame is injected only when
/// (1) Kestrel holds no memory from <see cref="GetMemory"/> it has not advanced yet, (2) the bytes written so far end at
/// a frame boundary, (3) the server's first frame (its SETTINGS, RFC 9113 §3.4) was written, and (4) no flush is in
/// flight. Otherwise the GOAWAY waits for the next such moment (after an <see cref="Advance"/> or a flush).</para>
/// <para>The injected frame is flushed at once. While that flush is in flight Kestrel's writes go to a side buffer,
/// which its next flush moves to the TLS stream after the injected flush has completed — the order of bytes is kept.</para>
/// <para>After an injected GOAWAY that ends the connection (abuse), Kestrel's later writes are discarded and its flushes
/// report completion, so Kestrel stops writing: the client sees that GOAWAY as the last frame.</para>
/// </remarks>
internal sealed class GuardedOutput(PipeWriter inner, ConnectionGuard guard) : PipeWriter
{
    private const int GoAwayType = 0x7;
    private const int GoAwayLength = 8;

    private readonly Lock _gate = new();
    private Http2FrameScanner _scanner;
    private Memory<byte> _lent;
    private bool _lentFromSide;
    private bool _memoryLent;
    private bool _kestrelFlushing;
    private Task? _injectedFlush;
    private ArrayBufferWriter<byte>? _side;
    private byte[]? _pending;
    private bool _discardAfterPending;
    private bool _discard;
    // Kestrel completed this writer (the connection is done): nothing may be written to the TLS stream any more.
    private bool _completed;
    private byte[]? _discardBuffer;
    private TaskCompletionSource? _pendingWritten;

    /// <summary>Gets a value indicating whether Kestrel's writes are being discarded (an ending GOAWAY was injected).</summary>
    public bool Discarding
    {
        get
        {
            lock (_gate)
            {
                return _discard;
            }
        }
    }

    /// <summary>
    /// Puts GOAWAY(<paramref name="lastStreamId"/>, <paramref name="errorCode"/>) between two of Kestrel's frames, now or
    /// at the next safe moment; with <paramref name="endsConnection"/>, Kestrel's later writes are discarded. Returns a
    /// task that completes when the frame was written to the TLS stream (its flush may still be in flight).
    /// </summary>
    public Task InjectGoAway(int lastStreamId, int errorCode, bool endsConnection)
    {
        var frame = new byte[Http2FrameScanner.HeaderLength + GoAwayLength];
        // length 8, type GOAWAY, no flags, stream 0 (RFC 9113 §6.8), then last-stream-id and error code.
        frame[2] = GoAwayLength;
        frame[3] = GoAwayType;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(9), lastStreamId & int.MaxValue);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(13), errorCode);
        lock (_gate)
        {
            if (_discard || _completed)
            {
                // Ended already (a close that races the connection's own end): there is nobody left to tell.
                return Task.CompletedTask;
            }

            _pending = frame;
            _discardAfterPending |= endsConnection;
            _pendingWritten ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var written = _pendingWritten.Task;
            TryInjectLocked();
            return written;
        }
    }

    /// <summary>
    /// After Kestrel is done with the connection: writes a GOAWAY still waiting for a safe moment (Kestrel may have taken
    /// memory it never advanced), and returns a task that completes when the injected flush (if any) is done.
    /// </summary>
    /// <summary>Gets a task that completes when the injected frame's flush (if one is in flight) is done.</summary>
    public Task InjectedFlushTask
    {
        get
        {
            lock (_gate)
            {
                return _injectedFlush ?? Task.CompletedTask;
            }
        }
    }

    public Task FinishAsync()
    {
        lock (_gate)
        {
            WritePendingAtEndLocked();
            return _injectedFlush ?? Task.CompletedTask;
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        lock (_gate)
        {
            if (_discard)
            {
                var size = Math.Max(sizeHint, 4096);
                if (_discardBuffer is null || _discardBuffer.Length < size)
                {
                    _discardBuffer = new byte[size];
                }

                return _discardBuffer;
            }

            _lentFromSide = _injectedFlush is not null || _side is { WrittenCount: > 0 };
            _lent = _lentFromSide ? (_side ??= new ArrayBufferWriter<byte>()).GetMemory(sizeHint) : inner.GetMemory(sizeHint);
            _memoryLent = true;
            return _lent;
        }
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        lock (_gate)
        {
            if (_discard)
            {
                return;
            }

            var sink = new ConnectionGuard.OutputSink(guard);
            _scanner.Scan(_lent.Span[..bytes], ref sink);
            _memoryLent = false;
            if (_lentFromSide)
            {
                _side!.Advance(bytes);
            }
            else
            {
                inner.Advance(bytes);
            }

            TryInjectLocked();
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_discard)
            {
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
            }

            if (_injectedFlush is null && _side is not { WrittenCount: > 0 })
            {
                _kestrelFlushing = true;
                var flush = inner.FlushAsync(cancellationToken);
                if (flush.IsCompletedSuccessfully)
                {
                    _kestrelFlushing = false;
                    TryInjectLocked();
                    return flush;
                }

                return AwaitFlushAsync(flush);
            }
        }

        return FlushAfterInjectedAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes
    {
        get
        {
            lock (_gate)
            {
                return _discard ? 0 : inner.UnflushedBytes + (_side?.WrittenCount ?? 0);
            }
        }
    }

    public override void Complete(Exception? exception = null)
    {
        Task? injected;
        lock (_gate)
        {
            WritePendingAtEndLocked();
            _completed = true;
            injected = _injectedFlush;
            _pendingWritten?.TrySetResult();
        }

        if (injected is null)
        {
            inner.Complete(exception);
        }
        else
        {
            // Completing the TLS stream's writer under an in-flight flush is not allowed: complete after it.
            injected.ContinueWith(_ => inner.Complete(exception), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        Task? injected;
        lock (_gate)
        {
            WritePendingAtEndLocked();
            _completed = true;
            injected = _injectedFlush;
            _pendingWritten?.TrySetResult();
        }

        if (injected is not null)
        {
            await injected.ConfigureAwait(false);
        }

        await inner.CompleteAsync(exception).ConfigureAwait(false);
    }

    private async ValueTask<FlushResult> AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            return await flush.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _kestrelFlushing = false;
                TryInjectLocked();
            }
        }
    }

    private async ValueTask<FlushResult> FlushAfterInjectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? injected;
            lock (_gate)
            {
                injected = _injectedFlush;
                if (injected is null)
                {
                    if (_discard)
                    {
                        return new FlushResult(isCanceled: false, isCompleted: true);
                    }

                    if (_side is { WrittenCount: > 0 } side)
                    {
                        inner.Write(side.WrittenSpan);
                        side.ResetWrittenCount();
                    }

                    _kestrelFlushing = true;
                    break;
                }
            }

            await injected.ConfigureAwait(false);
        }

        return await AwaitFlushAsync(inner.FlushAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Kestrel is done writing: a GOAWAY still waiting (Kestrel had taken memory it never advanced) goes out now, when the
    /// bytes end at a frame boundary; Kestrel's memory lent and not advanced is not part of the output.
    /// </summary>
    private void WritePendingAtEndLocked()
    {
        if (_pending is not null && _scanner.Frames > 0)
        {
            _memoryLent = false;
            TryInjectLocked();
        }
    }

    private void TryInjectLocked()
    {
        if (_pending is null || _completed || _memoryLent || _kestrelFlushing || _injectedFlush is not null || _side is { WrittenCount: > 0 }
            || !_scanner.AtFrameBoundary || _scanner.Frames == 0)
        {
            return;
        }

        try
        {
            inner.Write(_pending);
        }
        catch (InvalidOperationException)
        {
            // The TLS stream's writer was completed underneath (the connection is gone): the GOAWAY has no one to reach.
            _pending = null;
            _discard = true;
            _pendingWritten?.TrySetResult();
            _pendingWritten = null;
            return;
        }

        _pending = null;
        _discard = _discardAfterPending;
        _pendingWritten?.TrySetResult();
        _pendingWritten = null;
        var flush = inner.FlushAsync();
        if (!flush.IsCompleted)
        {
            _injectedFlush = CompleteInjectedFlushAsync(flush);
        }
        else if (!flush.IsCompletedSuccessfully)
        {
            // A failed flush: the connection is gone; Kestrel sees it on its own next write.
            _ = flush.AsTask().Exception;
        }
    }

    private async Task CompleteInjectedFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away during the flush: Kestrel's own writes will report it.
        }
        finally
        {
            lock (_gate)
            {
                _injectedFlush = null;
                TryInjectLocked();
            }
        }
    }
}
