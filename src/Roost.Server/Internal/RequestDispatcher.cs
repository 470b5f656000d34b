using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Roost.Internal;

/// <summary>Runs the user's Node-style handler for each request Kestrel hands over.</summary>
internal sealed class RequestDispatcher(RequestHandler? syncHandler, AsyncRequestHandler? asyncHandler, ILogger logger)
{
    public Task HandleAsync(HttpContext context)
    {
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

    private Task Fail(Exception exception, HttpContext context, OutgoingResponse response)
    {
        if (exception is ServiceUnavailableException unavailable)
        {
            // Expected outcome, logged with its reason by the code that threw: answer 503, not 500.
            response.Fail(unavailable);
            return Task.CompletedTask;
        }

        Log.HandlerFailed(logger, context.Request.Method, context.Request.Path.Value ?? "/", exception);
        response.Fail();
        return Task.CompletedTask;
    }
}
