using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The web dashboard on the admin listener (docs/metrics.md): <c>/</c> is the page (embedded, no CDN), <c>/login</c>
/// its login form when a token is set, <c>/api/stream</c> pushes a <see cref="DashboardUpdate"/> as Server-Sent Events
/// once a second (no polling by the page), and <see cref="DashboardActions"/> takes its buttons' POSTs.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>The interval between two updates on the stream (at most one update a second).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const string ContentSecurityPolicy = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";

    private static readonly Lazy<string> Page = new(() => ReadResource("Roost.Cluster.dashboard.html"));
    private static readonly Lazy<string> Login = new(() => ReadResource("Roost.Cluster.login.html"));

    /// <summary>Adds the routes (called by <see cref="AdminListener"/>, behind <see cref="AdminAuthorization.Middleware"/>).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", WritePageAsync);
        endpoints.MapGet("/login", context => WriteLoginAsync(context, error: null));
        endpoints.MapPost("/login", LoginAsync);
        endpoints.MapPost("/logout", Logout);
        endpoints.MapGet("/api/stream", StreamAsync);
        DashboardActions.Map(endpoints);
    }

    /// <summary>Writes the login form (with <paramref name="error"/> under it); the status code is the caller's.</summary>
    public static Task WriteLoginAsync(HttpContext context, string? error)
    {
        var html = Login.Value.Replace("<!--error-->", error is null ? string.Empty : $"<p class=\"error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(error)}</p>", StringComparison.Ordinal);
        return WriteHtmlAsync(context, html);
    }

    private static Task WritePageAsync(HttpContext context)
    {
        var authorization = context.RequestServices.GetRequiredService<AdminAuthorization>();

        // The anti-CSRF token is bound to the session: a page without one (no token set, or a bearer-authorized
        // request) gets a session here.
        var session = authorization.SessionOf(context) ?? authorization.StartSession(context);
        var html = Page.Value
            .Replace("__CSRF__", authorization.CsrfTokenFor(session), StringComparison.Ordinal)
            .Replace("__LOGIN__", authorization.TokenRequired ? "true" : "false", StringComparison.Ordinal);
        return WriteHtmlAsync(context, html);
    }

    private static async Task LoginAsync(HttpContext context)
    {
        var authorization = context.RequestServices.GetRequiredService<AdminAuthorization>();
        if (!authorization.TokenRequired)
        {
            context.Response.Redirect("/");
            return;
        }

        if (!AdminAuthorization.IsSameOrigin(context) || !context.Request.HasFormContentType)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await WriteLoginAsync(context, ClusterErrorMessages.AdminCrossOrigin(context.Request.Headers.Origin.ToString())).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!authorization.Matches(form["token"].ToString().Trim()))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await WriteLoginAsync(context, ClusterErrorMessages.AdminLoginFailed()).ConfigureAwait(false);
            return;
        }

        authorization.StartSession(context);

        // 303: the browser follows with a GET of the page (Post/Redirect/Get).
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "/";
    }

    private static Task Logout(HttpContext context)
    {
        var authorization = context.RequestServices.GetRequiredService<AdminAuthorization>();
        if (authorization.CheckCsrf(context) is { } refused)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync(refused + "\n");
        }

        authorization.EndSession(context);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static async Task StreamAsync(HttpContext context)
    {
        var services = context.RequestServices.GetRequiredService<AdminServices>();
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var aborted = context.RequestAborted;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                var snapshot = await services.GetSnapshotAsync(aborted).ConfigureAwait(false);
                var update = new DashboardUpdate(snapshot, services.Certificates.Describe());
                var json = JsonSerializer.SerializeToUtf8Bytes(update, AdminJsonContext.Default.DashboardUpdate);

                // One event per update: "data: <json>" and a blank line (the JSON has no newline in it).
                await context.Response.Body.WriteAsync("data: "u8.ToArray(), aborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync(json, aborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync("\n\n"u8.ToArray(), aborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(aborted).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The page was closed (or the primary is stopping): the stream ends.
        }
        catch (InvalidOperationException)
        {
            // The cluster stopped: the page shows it is disconnected.
        }
    }

    private static Task WriteHtmlAsync(HttpContext context, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.XFrameOptions = "DENY";
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the login form's POST.
        context.Response.Headers["Referrer-Policy"] = "same-origin";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(html), context.RequestAborted).AsTask();
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from the Roost.Cluster assembly; rebuild it.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
