using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Roost.Internal;

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
        if (_closeKeepAlive && !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
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
        // then closes the connection; a client-caused problem, so Debug (style guide §7).
        Log.Http1Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", context.Request.Protocol);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.Connection = "close";
        return response.WriteAsync(ErrorMessages.Http1NotAllowed() + "\n", context.RequestAborted);
    }

    private Task Fail(Exception exception, HttpContext context, OutgoingResponse response)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            // The client's fault surfacing through the handler (e.g. ReadBodyAsync past MaxRequestBodySize): answer
            // with Kestrel's status (413, 400…) as ServerLimits documents, and log at Debug (style guide §7).
            Log.BadRequest(logger, context.Request.Method, context.Request.Path.Value ?? "/", badRequest.StatusCode, badRequest.Message);
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
}
