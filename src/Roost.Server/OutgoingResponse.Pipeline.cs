using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Roost;

/// <summary>How buffered bytes reach Kestrel; see the remarks on <see cref="OutgoingResponse"/>.</summary>
public sealed partial class OutgoingResponse
{
    // Waiters exist only on the slow paths (a handler that returns before End, WriteAsync, an abort), so they live in
    // an object made on first use: the common response carries one null reference instead of three.
    private Waiters? _waiters;

    private delegate int Encoder<in TState>(TState state, Span<byte> destination);

    private void EndCore<TState>(Encoder<TState> encode, TState state, int maxBytes)
    {
        bool schedule;
        lock (this)
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

    /// <summary>After a write (under the lock): start streaming once the buffer passes the threshold, or when the handler is gone.</summary>
    private bool ClaimFlushAfterWriteLocked() => ClaimFlushLocked(force: _count >= StreamThreshold);

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
                TaskCompletionSource? exited = null;
                lock (this)
                {
                    if (_finished)
                    {
                        // FailAsync answered 500, or the client went away, before this (queued) loop ran: the
                        // response is no longer ours to touch.
                        _flushing = false;
                        exited = TakeFlushLoopExited();
                        count = -1;
                        (chunk, end) = (null, false);
                    }
                    else
                    {
                        (chunk, count, end) = (_buffer, _count, _ended);
                        (_buffer, _count) = (null, 0);
                        if (count == 0 && !end)
                        {
                            // Idle: clearing the claim under the same lock that saw the empty buffer, so that the
                            // next Write claims a new loop instead of leaving its bytes behind.
                            _flushing = false;
                            drained = TakeDrained();
                            exited = TakeFlushLoopExited();
                        }
                        else
                        {
                            _sendStarted = true;
                        }
                    }
                }

                if (count <= 0 && !end)
                {
                    drained?.TrySetResult();
                    exited?.TrySetResult();
                    return;
                }

                var stillOpen = await SendAsync(chunk, count, end).ConfigureAwait(false);
                if (end || !stillOpen)
                {
                    Finish();
                    ExitFinishedFlushLoop();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away or the connection was aborted: nothing more can be sent. The request ends.
            _context.Abort();
            Finish();
            ExitFinishedFlushLoop();
        }
    }

    /// <summary>Releases the flush claim once the response is finished (no new loop can be claimed after that).</summary>
    private void ExitFinishedFlushLoop()
    {
        TaskCompletionSource? exited;
        lock (this)
        {
            _flushing = false;
            exited = TakeFlushLoopExited();
        }

        exited?.TrySetResult();
    }

    /// <summary>
    /// Completes when no flush loop is queued or running. The request delegate must not return before that: Kestrel
    /// reuses the <see cref="HttpContext"/> for the connection's next request (on HTTP/2, for a later stream), and a
    /// loop still writing or aborting would hit that request instead.
    /// </summary>
    private Task WaitForFlushLoopAsync()
    {
        lock (this)
        {
            if (!_flushing)
            {
                return Task.CompletedTask;
            }

            var waiters = _waiters ??= new Waiters();
            waiters.FlushLoopExited ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiters.FlushLoopExited.Task;
        }
    }

    /// <summary>Hands one chunk to Kestrel; returns <see langword="false"/> when the client is gone.</summary>
    private async ValueTask<bool> SendAsync(byte[]? chunk, int count, bool end)
    {
        var response = _context.Response;
        WriteChunk(response, chunk, count, whole: end);

        if (end)
        {
            await response.CompleteAsync().ConfigureAwait(false);
            return true;
        }

        var result = await response.BodyWriter.FlushAsync(_context.RequestAborted).ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>
    /// Writes a pooled chunk to Kestrel's body writer (no flush) and returns it to the pool; when it is the whole body
    /// and nothing was sent yet, sets Content-Length first.
    /// </summary>
    private void WriteChunk(HttpResponse response, byte[]? chunk, int count, bool whole)
    {
        try
        {
            if (whole && !response.HasStarted)
            {
                ApplyContentLength(response, count);
            }

            if (count > 0 && SendsBody(_context))
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

    /// <summary>
    /// Whether body bytes go on the wire. A HEAD response announces the length a GET would have but carries no content
    /// (RFC 9110 §9.3.2); Kestrel drops the bytes itself on HTTP/1.1 but sends them as DATA frames on HTTP/2.
    /// </summary>
    private static bool SendsBody(HttpContext context) =>
        BodyAllowed(context.Response.StatusCode) && !HttpMethods.IsHead(context.Request.Method);

    private void Finish()
    {
        TaskCompletionSource? done;
        TaskCompletionSource? drained;
        byte[]? leftover;
        lock (this)
        {
            _finished = true;
            (done, drained, leftover) = (_waiters?.Done, TakeDrained(), _buffer);
            (_buffer, _count) = (null, 0);
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
        lock (this)
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

            var waiters = _waiters ??= new Waiters();
            waiters.Drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            task = waiters.Drained.Task;
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
        lock (this)
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
        lock (this)
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
                var waiters = _waiters ??= new Waiters();
                waiters.Done ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = waiters.Done.Task;
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
            WriteChunk(response, chunk, count, whole: true);
        }
        finally
        {
            FinishInline();
        }
    }

    /// <summary><see cref="Finish"/> and <see cref="ExitFinishedFlushLoop"/> in one lock section, for the inline path.</summary>
    private void FinishInline()
    {
        TaskCompletionSource? done;
        TaskCompletionSource? drained;
        TaskCompletionSource? exited;
        byte[]? leftover;
        lock (this)
        {
            _finished = true;
            _flushing = false;
            (done, drained, exited, leftover) = (_waiters?.Done, TakeDrained(), TakeFlushLoopExited(), _buffer);
            (_buffer, _count) = (null, 0);
        }

        if (leftover is not null)
        {
            ArrayPool<byte>.Shared.Return(leftover);
        }

        drained?.TrySetResult();
        done?.TrySetResult();
        exited?.TrySetResult();
    }

    private TaskCompletionSource? TakeDrained()
    {
        if (_waiters is not { Drained: { } drained } waiters)
        {
            return null;
        }

        waiters.Drained = null;
        return drained;
    }

    private TaskCompletionSource? TakeFlushLoopExited()
    {
        if (_waiters is not { FlushLoopExited: { } exited } waiters)
        {
            return null;
        }

        waiters.FlushLoopExited = null;
        return exited;
    }

    /// <summary>The tasks of the slow paths; see <see cref="_waiters"/>.</summary>
    private sealed class Waiters
    {
        /// <summary>Completed when the response is finished (sent, failed or the client went away).</summary>
        public TaskCompletionSource? Done { get; set; }

        /// <summary>Completed when the buffer was handed to the connection (<c>WriteAsync</c>).</summary>
        public TaskCompletionSource? Drained { get; set; }

        /// <summary>Completed when the flush loop released its claim.</summary>
        public TaskCompletionSource? FlushLoopExited { get; set; }
    }

    private async Task WaitForEndAsync(Task wait)
    {
        // A handler that never calls End keeps the request open, as in Node, until the client goes away.
        var registration = _context.RequestAborted.UnsafeRegister(static state => ((OutgoingResponse)state!).Finish(), this);
        await using (registration.ConfigureAwait(false))
        {
            await wait.ConfigureAwait(false);
        }

        // After an abort the loop may still be inside a send; it ends quickly (its flush is cancelled), but the request
        // must not complete before it has.
        await WaitForFlushLoopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The handler threw: answer <paramref name="statusCode"/> (500, or e.g. 413 for a request body over the limit)
    /// if nothing reached Kestrel yet, otherwise abort the response (the status line is out; aborting is the only
    /// signal left). Nothing to do when the response was already complete.
    /// </summary>
    /// <param name="statusCode">The status to answer with.</param>
    /// <returns>A task that completes when the response is no longer touched by the flush loop.</returns>
    /// <param name="unavailable">For 503: the reason, sent as a plain-text body with its <c>Retry-After</c>.</param>
    internal Task FailAsync(int statusCode, ServiceUnavailableException? unavailable = null)
    {
        bool wasFinished;
        bool answer;
        byte[]? dropped = null;
        lock (this)
        {
            _handlerRunning = false;
            _ended = true;
            wasFinished = _finished;
            answer = !_finished && !_sendStarted;
            if (answer)
            {
                // A flush may be queued but has not taken any bytes: it will see _finished and leave the response alone.
                _finished = true;
                (dropped, _buffer, _count) = (_buffer, null, 0);
            }
        }

        if (dropped is not null)
        {
            ArrayPool<byte>.Shared.Return(dropped);
        }

        if (wasFinished)
        {
            return WaitForFlushLoopAsync();
        }

        var response = _context.Response;
        if (answer && !response.HasStarted)
        {
            response.Clear();
            response.StatusCode = statusCode;
            if (unavailable is null)
            {
                response.ContentLength = 0;
            }
            else
            {
                var body = System.Text.Encoding.UTF8.GetBytes(unavailable.Message + "\n");
                response.ContentType = "text/plain; charset=utf-8";
                response.ContentLength = body.Length;
                if (unavailable.RetryAfter is { } retryAfter)
                {
                    response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                // Buffered in the pipe, sent when the request delegate returns.
                response.BodyWriter.Write(body);
            }

            Finish();
            return WaitForFlushLoopAsync();
        }

        _context.Abort();
        Finish();
        return WaitForFlushLoopAsync();
    }
}
