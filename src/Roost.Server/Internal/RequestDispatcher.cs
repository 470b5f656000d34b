using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Roost.Server.Internal;

/// <summary>Runs the user's Node-style handler for each request Kestrel hands over.</summary>
/// <param name="syncHandler">The synchronous handler, or <see langword="null"/>.</param>
/// <param name="asyncHandler">The asynchronous handler, or <see langword="null"/>.</param>
/// <param name="logger">The server's logger.</param>
/// <param name="refuseHttp1">
/// <see langword="true"/> for an h2-only TLS server: HTTP/1.x requests (from clients that negotiated no ALPN
/// protocol) get 403 instead of reaching the handler; see <see cref="HttpServer.KestrelProtocols"/>.
/// </param>
internal sealed class RequestDispatcher(RequestHandler? syncHandler, AsyncRequestHandler? asyncHandler, ILogger logger, bool refuseHttp1)
{
    /// <summary>How many body bytes the lingering read after a 413 on HTTP/1.1 discards at most.</summary>
    internal const long LingerBytes = 4 * 1024 * 1024;

    /// <summary>How long the lingering read after a 413 on HTTP/1.1 may last (nginx: lingering_timeout 5 s per read).</summary>
    internal static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    private volatile bool _closeKeepAlive;

    /// <summary>
    /// Gets or sets a value indicating whether every HTTP/1.x response carries <c>Connection: close</c> (the
    /// keep-alive drain: each keep-alive connection is closed by the server right after its next answer, so no
    /// client sends on a connection the server is about to close).
    /// </summary>
    public bool CloseKeepAlive
    {
        get => _closeKeepAlive;
        set => _closeKeepAlive = value;
    }

    public Task HandleAsync(HttpContext context)
    {
        if (_closeKeepAlive && IsHttp1(context))
        {
            // On starting, so a handler that resets its headers cannot drop it; Kestrel closes after the response.
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.Connection = "close";
                return Task.CompletedTask;
            }, context.Response);
        }

        if (refuseHttp1 && !HttpProtocol.IsHttp2(context.Request.Protocol))
        {
            return RefuseHttp1Async(context);
        }

        if (context.Request.ContentLength is { } length
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
            && length > limit)
        {
            return RefuseLargeBodyAsync(context, length, limit);
        }

        var request = new IncomingRequest(context);
        var response = new OutgoingResponse(context);
        if (syncHandler is not null)
        {
            try
            {
                syncHandler(request, response);
            }
            catch (Exception ex)
            {
                // Process boundary for user code: Node would crash the process here; we answer 500 and go on.
                return Fail(ex, context, response);
            }

            return response.CompleteAfterHandlerAsync();
        }

        Task task;
        try
        {
            task = asyncHandler!(request, response);
        }
        catch (Exception ex)
        {
            return Fail(ex, context, response);
        }

        return task.IsCompletedSuccessfully ? response.CompleteAfterHandlerAsync() : AwaitHandlerAsync(task, context, response);
    }

    private async Task AwaitHandlerAsync(Task task, HttpContext context, OutgoingResponse response)
    {
        response.HandlerYielded();
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // See HandleAsync: a failing handler costs its own request only.
            await Fail(ex, context, response).ConfigureAwait(false);
            return;
        }

        await response.CompleteAfterHandlerAsync().ConfigureAwait(false);
    }

    private Task RefuseHttp1Async(HttpContext context)
    {
        // Node's http2 secure server without allowHTTP1 answers such a client with 403 and a text naming the option,
        // then closes the connection; a client-caused problem, so Debug (CONTRIBUTING.md §7.4).
        Log.Http1Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", context.Request.Protocol);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.Connection = "close";
        return response.WriteAsync(ErrorMessages.Http1NotAllowed() + "\n", context.RequestAborted);
    }

    /// <summary>
    /// Answers 413 to a request whose Content-Length is over the limit, before the handler runs and before any byte
    /// of the body is read (as nginx does with <c>client_max_body_size</c>): a handler that never reads the body (a
    /// page, a health check) would otherwise answer 200 and leave the body to be drained after the response.
    /// </summary>
    /// <remarks>
    /// How the unread body ends:
    /// <list type="number">
    /// <item>HTTP/1.1: <c>Connection: close</c>, so the client knows the rest of its upload will not be read; a client
    /// that sent <c>Expect: 100-continue</c> (curl does for bodies over 1 MB) gets the 413 instead of the 100 and sends
    /// nothing. Otherwise, after the answer, up to <see cref="LingerBytes"/> of the body are read and discarded for at most
    /// <see cref="LingerTime"/> (nginx's lingering close): closing a socket with unread data sends a TCP reset, which can
    /// destroy the 413 before the client reads it.</item>
    /// <item>HTTP/2: Kestrel ends the response with END_STREAM, then sends RST_STREAM(NO_ERROR) because the request
    /// stream is still open (RFC 9113 §8.1); the connection stays usable.</item>
    /// </list>
    /// </remarks>
    private async Task RefuseLargeBodyAsync(HttpContext context, long length, long limit)
    {
        Log.BadRequest(logger, context.Request.Method, context.Request.Path.Value ?? "/", StatusCodes.Status413PayloadTooLarge, ErrorMessages.RequestBodyTooLarge(length, limit));
        var response = context.Response;
        var body = System.Text.Encoding.UTF8.GetBytes(ErrorMessages.RequestBodyTooLarge(length, limit) + "\n");
        response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        var http1 = IsHttp1(context);
        if (http1)
        {
            response.Headers.Connection = "close";
        }

        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        await response.CompleteAsync().ConfigureAwait(false);
        // A client that asked for 100-continue waits for it and sends no body: nothing to linger for.
        if (http1 && !context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await LingerAsync(context).ConfigureAwait(false);
        }
    }

    private static async Task FailThenLingerAsync(HttpContext context, OutgoingResponse response)
    {
        await response.FailAsync(StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);

        // Reads only if the body can still be read (the handler counted the bytes itself, as roost serve's handlers
        // do); after Kestrel's own limit tripped, its reader fails at once and the connection just closes.
        await LingerAsync(context).ConfigureAwait(false);
    }

    private static async Task LingerAsync(HttpContext context)
    {
        // The limit was the reason for the 413; the body is read only to be thrown away, so lift it for this request
        // (allowed because nothing was read yet), and bound the read by time and bytes instead.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(LingerTime);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long discarded = 0;
            int read;
            while (discarded < LingerBytes && (read = await context.Request.Body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                discarded += read;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException or InvalidOperationException)
        {
            // The client stopped sending, went away, or took too long: Kestrel closes the connection either way.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Task Fail(Exception exception, HttpContext context, OutgoingResponse response)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            // The client's fault surfacing through the handler (e.g. ReadBodyAsync past MaxRequestBodySize): answer
            // with Kestrel's status (413, 400…) as ServerLimits documents, and log at Debug (CONTRIBUTING.md §7.4).
            Log.BadRequest(logger, context.Request.Method, context.Request.Path.Value ?? "/", badRequest.StatusCode, badRequest.Message);
            if (IsHttp1(context))
            {
                // The rest of the body will not be read (a 413 stops at the limit): tell the client the connection
                // ends with this answer. On starting, because FailAsync clears the headers first.
                context.Response.OnStarting(static state =>
                {
                    ((HttpResponse)state).Headers.Connection = "close";
                    return Task.CompletedTask;
                }, context.Response);
                if (badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return FailThenLingerAsync(context, response);
                }
            }

            return response.FailAsync(badRequest.StatusCode);
        }

        if (exception is ServiceUnavailableException unavailable)
        {
            // Expected outcome, logged with its reason by the code that threw: answer 503, not 500.
            return response.FailAsync(StatusCodes.Status503ServiceUnavailable, unavailable);
        }

        Log.HandlerFailed(logger, context.Request.Method, context.Request.Path.Value ?? "/", exception);
        return response.FailAsync(StatusCodes.Status500InternalServerError);
    }

    private static bool IsHttp1(HttpContext context) =>
        !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol);
}
