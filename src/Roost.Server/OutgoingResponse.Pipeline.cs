using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Roost;

/// <summary>How buffered bytes reach Kestrel; see the remarks on <see cref="OutgoingResponse"/>.</summary>
public sealed partial class OutgoingResponse
{
    private TaskCompletionSource? _drained;

    private delegate int Encoder<in TState>(TState state, Span<byte> destination);

    private void EndCore<TState>(Encoder<TState> encode, TState state, int maxBytes)
    {
        bool schedule;
        lock (_lock)
        {
            if (_ended)
            {
                if (maxBytes == 0)
                {
                    return;
                }

                throw new InvalidOperationException(ErrorMessages.WriteAfterEnd());
            }

            if (maxBytes > 0)
            {
                _count += encode(state, Reserve(maxBytes));
            }

            _ended = true;
            schedule = ClaimFlushLocked(force: false);
        }

        if (schedule)
        {
            Schedule();
        }
    }

    private void AfterWrite()
    {
        bool schedule;
        lock (_lock)
        {
            schedule = ClaimFlushLocked(force: _count >= StreamThreshold);
        }

        if (schedule)
        {
            Schedule();
        }
    }

    /// <summary>Takes the right to run the flush loop when bytes (or the end) are waiting and nobody flushes yet.</summary>
    private bool ClaimFlushLocked(bool force)
    {
        if (_flushing || _finished || (_count == 0 && !_ended) || (_handlerRunning && !force))
        {
            return false;
        }

        _flushing = true;
        return true;
    }

    private Span<byte> Reserve(int size)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
        }
        else if (_buffer.Length - _count < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _count + size));
            _buffer.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_count, size);
    }

    private void Schedule() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    /// <inheritdoc />
    void IThreadPoolWorkItem.Execute() => _ = FlushLoopAsync();

    private async Task FlushLoopAsync()
    {
        try
        {
            while (true)
            {
                byte[]? chunk;
                int count;
                bool end;
                TaskCompletionSource? drained = null;
                lock (_lock)
                {
                    (chunk, count, end) = (_buffer, _count, _ended);
                    (_buffer, _count) = (null, 0);
                    if (count == 0 && !end)
                    {
                        _flushing = false;
                        (drained, _drained) = (_drained, null);
                    }
                }

                if (count == 0 && !end)
                {
                    drained?.TrySetResult();
                    return;
                }

                var stillOpen = await SendAsync(chunk, count, end).ConfigureAwait(false);
                if (end || !stillOpen)
                {
                    Finish();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away or the connection was aborted: nothing more can be sent. The request ends.
            _context.Abort();
            Finish();
        }
    }

    /// <summary>Hands one chunk to Kestrel; returns <see langword="false"/> when the client is gone.</summary>
    private async ValueTask<bool> SendAsync(byte[]? chunk, int count, bool end)
    {
        var response = _context.Response;
        try
        {
            if (end && !response.HasStarted)
            {
                ApplyContentLength(response, count);
            }

            if (count > 0 && BodyAllowed(response.StatusCode))
            {
                response.BodyWriter.Write(chunk.AsSpan(0, count));
            }
        }
        finally
        {
            if (chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        if (end)
        {
            await response.CompleteAsync().ConfigureAwait(false);
            return true;
        }

        var result = await response.BodyWriter.FlushAsync(_context.RequestAborted).ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }

    private static void ApplyContentLength(HttpResponse response, int count)
    {
        if (response.ContentLength is null
            && BodyAllowed(response.StatusCode)
            && !response.Headers.ContainsKey(HeaderNames.TransferEncoding))
        {
            response.ContentLength = count;
        }
    }

    /// <summary>1xx, 204 and 304 responses carry no body (RFC 9110 §6.4.1); Node drops such writes silently too.</summary>
    private static bool BodyAllowed(int statusCode) => statusCode is >= 200 and not 204 and not 304;

    private void Finish()
    {
        TaskCompletionSource? done;
        TaskCompletionSource? drained;
        byte[]? leftover;
        lock (_lock)
        {
            _finished = true;
            _flushing = false;
            (done, drained, leftover) = (_done, _drained, _buffer);
            (_drained, _buffer, _count) = (null, null, 0);
        }

        if (leftover is not null)
        {
            ArrayPool<byte>.Shared.Return(leftover);
        }

        drained?.TrySetResult();
        done?.TrySetResult();
    }

    private Task DrainAsync(CancellationToken cancellationToken)
    {
        Task task;
        var schedule = false;
        lock (_lock)
        {
            if (_finished || (_count == 0 && !_flushing))
            {
                return Task.CompletedTask;
            }

            if (!_flushing)
            {
                _flushing = true;
                schedule = true;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _drained.Task;
        }

        if (schedule)
        {
            Schedule();
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>An async handler awaited before finishing: from now on writes are sent as they come.</summary>
    internal void HandlerYielded()
    {
        bool schedule;
        lock (_lock)
        {
            _handlerRunning = false;
            schedule = ClaimFlushLocked(force: false);
        }

        if (schedule)
        {
            Schedule();
        }
    }

    /// <summary>
    /// Called when the handler has returned. Fast path: the response ended inside the handler and nothing was sent
    /// yet, so it goes out as one write and Kestrel flushes it when the request delegate returns.
    /// </summary>
    /// <returns>A task that completes when the response is complete (or the client is gone).</returns>
    internal Task CompleteAfterHandlerAsync()
    {
        bool inline;
        var schedule = false;
        Task? wait = null;
        lock (_lock)
        {
            _handlerRunning = false;
            if (_finished)
            {
                return Task.CompletedTask;
            }

            inline = _ended && !_flushing;
            if (inline)
            {
                _flushing = true;
            }
            else
            {
                schedule = ClaimFlushLocked(force: false);
                _done ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _done.Task;
            }
        }

        if (inline)
        {
            CompleteInline();
            return Task.CompletedTask;
        }

        if (schedule)
        {
            Schedule();
        }

        return WaitForEndAsync(wait!);
    }

    private void CompleteInline()
    {
        // No lock needed: the response has ended (no more writes) and this thread holds the flush claim.
        var response = _context.Response;
        var (chunk, count) = (_buffer, _count);
        (_buffer, _count) = (null, 0);
        try
        {
            if (!response.HasStarted)
            {
                ApplyContentLength(response, count);
            }

            if (count > 0 && BodyAllowed(response.StatusCode))
            {
                response.BodyWriter.Write(chunk.AsSpan(0, count));
            }
        }
        finally
        {
            if (chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            Finish();
        }
    }

    private async Task WaitForEndAsync(Task wait)
    {
        // A handler that never calls End keeps the request open, as in Node, until the client goes away.
        await using var registration = _context.RequestAborted.UnsafeRegister(static state => ((OutgoingResponse)state!).Finish(), this).ConfigureAwait(false);
        await wait.ConfigureAwait(false);
    }

    /// <summary>The handler threw: answer 500 if nothing was sent yet, otherwise abort the connection.</summary>
    internal void Fail() => Fail(null);

    /// <summary>
    /// The handler threw: answer 500 (503 with the message as body for <paramref name="unavailable"/>) if nothing was
    /// sent yet, otherwise abort the connection.
    /// </summary>
    internal void Fail(ServiceUnavailableException? unavailable)
    {
        bool flushing;
        lock (_lock)
        {
            _handlerRunning = false;
            flushing = _flushing;
            _ended = true;
        }

        var response = _context.Response;
        if (!flushing && !response.HasStarted)
        {
            response.Clear();
            if (unavailable is null)
            {
                response.StatusCode = StatusCodes.Status500InternalServerError;
                response.ContentLength = 0;
            }
            else
            {
                var body = System.Text.Encoding.UTF8.GetBytes(unavailable.Message + "\n");
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.ContentType = "text/plain; charset=utf-8";
                response.ContentLength = body.Length;
                if (unavailable.RetryAfter is { } retryAfter)
                {
                    response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                // Buffered in the pipe, sent when the request delegate returns (Fail runs synchronously).
                response.BodyWriter.Write(body);
            }
        }
        else
        {
            _context.Abort();
        }

        Finish();
    }
}
