using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Roost.Internal.Admin;
using Roost.Internal.Control;

namespace Roost.Cli.Dashboard;

/// <summary>
/// The web dashboard on the admin listener (docs/dashboard.md): <c>/</c> is the page (embedded, no CDN) and
/// <c>/api/stream</c> pushes the metrics snapshot as Server-Sent Events once a second (no polling by the page).
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>The interval between two snapshots on the stream (the limit: at most one update a second).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Roost.Cli.dashboard.html")
            ?? throw new InvalidOperationException("The embedded dashboard page is missing from the roost assembly; rebuild Roost.Cli.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>Adds the routes (for <see cref="ClusterAdminOptions.Endpoints"/>).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", WritePageAsync);
        endpoints.MapGet("/api/stream", StreamAsync);
    }

    private static Task WritePageAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:";
        return context.Response.Body.WriteAsync(Page.Value, context.RequestAborted).AsTask();
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
                var json = JsonSerializer.SerializeToUtf8Bytes(snapshot, ControlJsonContext.Default.MetricsSnapshot);
                // One event per snapshot: "data: <json>" and a blank line (the JSON has no newline in it).
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
    }
}
