using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Roost.Clustering.Internal.Control;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The dashboard's buttons: <c>POST /api/actions/{reload|reload-certs|scale|recycle}</c>, each the same request the
/// control socket takes (<c>roost reload|scale|recycle</c>), served by the same supervisor entry point. Each needs the
/// session's anti-CSRF token (<see cref="AdminAuthorization.CheckCsrf"/>); the answer streams the control protocol's
/// lines as NDJSON (<c>progress</c> lines while it runs, then <c>result</c> or <c>error</c>), which the page shows.
/// </summary>
/// <remarks>Form fields (application/x-www-form-urlencoded): scale takes <c>delta</c> (±N) or <c>workers</c> (N); recycle takes <c>worker</c> (the worker id).</remarks>
internal static class DashboardActions
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/api/actions/{action}", RunAsync);

    private static async Task RunAsync(HttpContext context)
    {
        var authorization = context.RequestServices.GetRequiredService<AdminAuthorization>();
        if (authorization.CheckCsrf(context) is { } refused)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(refused + "\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : FormCollection.Empty;
        var action = context.Request.RouteValues["action"] as string ?? string.Empty;
        if (ToRequest(action, form, out var problem) is not { } request)
        {
            context.Response.StatusCode = action is "reload" or "reload-certs" or "scale" or "recycle" ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(ClusterErrorMessages.AdminBadAction(problem) + "\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var services = context.RequestServices.GetRequiredService<AdminServices>();
        context.Response.ContentType = "application/x-ndjson; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var aborted = context.RequestAborted;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var session = new ControlSession(
            Environment.ProcessId,
            async response =>
            {
                var line = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
                await context.Response.Body.WriteAsync(line, aborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), aborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            },
            () => closed.TrySetResult());
        services.Control(request, session);

        // The response ends when the supervisor completes the session (or the page went away: the operation goes on).
        await closed.Task.ConfigureAwait(false);
    }

    private static ControlRequest? ToRequest(string action, IFormCollection form, out string problem)
    {
        problem = string.Empty;
        switch (action)
        {
            case "reload":
                return new ControlRequest.Reload();
            case "reload-certs":
                return new ControlRequest.Reload(CertsOnly: true);
            case "scale" when Number(form, "delta") is { } delta && form["workers"].Count == 0:
                return new ControlRequest.Scale(Delta: delta);
            case "scale" when Number(form, "workers") is { } workers && form["delta"].Count == 0:
                return new ControlRequest.Scale(Workers: workers);
            case "scale":
                problem = "scale needs exactly one of the form fields 'delta' (for example -1) and 'workers' (for example 4), an integer";
                return null;
            case "recycle" when Number(form, "worker") is { } worker:
                return new ControlRequest.Recycle(worker);
            case "recycle":
                problem = "recycle needs the form field 'worker', the worker id (an integer)";
                return null;
            default:
                problem = $"no action '{action}'; the actions are reload, reload-certs, scale and recycle";
                return null;
        }
    }

    private static int? Number(IFormCollection form, string field) =>
        form[field] is [{ } text] && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
