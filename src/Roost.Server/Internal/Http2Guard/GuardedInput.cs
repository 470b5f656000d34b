using System.Buffers;
using System.IO.Pipelines;

namespace Roost.Server.Internal.Http2Guard;

/// <summary>
/// The decrypted input of one HTTP/2 connection as Kestrel reads it: every byte is passed on unchanged and not copied;
/// frame headers are scanned once, when Kestrel first sees them (<see cref="ConnectionGuard.OnInputFrame"/>). When the
/// guard rejects a frame, Kestrel gets the bytes before it, then its next read waits while the guard lingers
/// (<see cref="ConnectionGuard.LingerAsync"/>: the GOAWAY goes out, what the client still sends is dropped), and then
/// it gets the end of the input and closes the connection on its own path. Ending Kestrel's input at once made it
/// close the socket while the GOAWAY could still be waiting in the transport.
/// </summary>
internal sealed class GuardedInput(PipeReader inner, ConnectionGuard guard) : PipeReader
{
    private Http2FrameScanner _scanner = new(ConnectionGuard.ClientPrefaceLength);
    private ReadOnlySequence<byte> _lastBuffer;
    // Offsets from the start of the connection: where the buffer Kestrel reads starts, and how far it was scanned.
    private long _bufferStart;
    private long _scannedEnd;
    private bool _cut;
    private bool _lingered;

    /// <summary>Gets a value indicating whether the input was cut after a rejected frame.</summary>
    public bool WasCut => _cut;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_cut)
        {
            return _lingered ? new ValueTask<ReadResult>(new ReadResult(default, isCanceled: false, isCompleted: true)) : LingerAsync();
        }

        var read = inner.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Observe(read.Result)) : ObserveAsync(read);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_cut)
        {
            result = new ReadResult(default, isCanceled: false, isCompleted: true);
            return true;
        }

        if (!inner.TryRead(out result))
        {
            return false;
        }

        result = Observe(result);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _bufferStart += _lastBuffer.Slice(0, consumed).Length;
        _lastBuffer = default;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    private async ValueTask<ReadResult> LingerAsync()
    {
        _lingered = true;
        await guard.LingerAsync(inner).ConfigureAwait(false);
        return new ReadResult(default, isCanceled: false, isCompleted: true);
    }

    private async ValueTask<ReadResult> ObserveAsync(ValueTask<ReadResult> read) => Observe(await read.ConfigureAwait(false));

    private ReadResult Observe(ReadResult result)
    {
        var buffer = result.Buffer;
        _lastBuffer = buffer;
        var scanned = _scannedEnd - _bufferStart;
        if (buffer.Length <= scanned)
        {
            return result;
        }

        var offset = scanned;
        var sink = new ConnectionGuard.InputSink(guard);
        foreach (var segment in buffer.Slice(scanned))
        {
            var stop = _scanner.Scan(segment.Span, ref sink);
            if (stop >= 0)
            {
                _cut = true;
                _lastBuffer = buffer.Slice(0, offset + stop);
                return new ReadResult(_lastBuffer, isCanceled: false, isCompleted: false);
            }

            offset += segment.Length;
        }

        _scannedEnd = _bufferStart + buffer.Length;
        return result;
    }
}
