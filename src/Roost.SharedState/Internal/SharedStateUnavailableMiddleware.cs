using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Roost.SharedState.Internal;

/// <summary>
/// First in the pipeline (added by an <see cref="IStartupFilter"/>): a request that failed because the shared store
/// is unreachable gets <c>503</c> with the reason as <c>text/plain</c> and a <c>Retry-After</c>, and a logged
/// warning, instead of a 500 and an error stack; the server keeps running.
/// </summary>
internal sealed class SharedStateUnavailableMiddleware(RequestDelegate next, SharedStore store)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await store.WaitForFirstConnectAsync(context.RequestAborted).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (SharedStore.IsStoreFailure(ex))
        {
            var unavailable = store.Unavailable(ex);
            Log.StoreUnavailable(store.Logger, context.Request.Method, context.Request.Path.Value ?? "/", unavailable.Message, ex);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(unavailable.Message + "\n", context.RequestAborted).ConfigureAwait(false);
        }
    }

    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<SharedStateUnavailableMiddleware>();
            next(app);
        };
    }
}
