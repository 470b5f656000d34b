using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Metrics;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The admin listener: Kestrel in the primary (HTTP/1.1 and h2c, no TLS: put it on loopback, or behind a proxy that
/// terminates TLS), on its own end point — nothing of it is reachable through the workers' port. Every request passes
/// <see cref="AdminAuthorization"/> first; then <c>/metrics</c> (Prometheus text), <c>/api/metrics</c> (the snapshot as
/// JSON), the dashboard (<see cref="DashboardEndpoints"/>) and the routes of <see cref="ClusterAdminOptions.Endpoints"/>.
/// </summary>
/// <remarks>Lifetime: started once by the supervisor, before the first worker; disposed when the cluster stops (in-flight admin requests get 2 s).</remarks>
internal sealed partial class AdminListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private AdminListener(WebApplication app, IPEndPoint boundEndPoint)
    {
        _app = app;
        EndPoint = boundEndPoint;
    }

    /// <summary>Gets the bound end point (the real port when 0 was asked).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds and starts the listener.</summary>
    /// <exception cref="InvalidOperationException">The settings are not usable, or the end point cannot be bound (the message says which and why).</exception>
    public static async Task<AdminListener> StartAsync(ClusterAdminOptions options, AdminServices services, CancellationToken cancellationToken)
    {
        var endPoint = options.EndPoint ?? throw new InvalidOperationException("The admin listener has no end point.");
        if (options.Validate() is [var first, ..])
        {
            throw new InvalidOperationException(first);
        }

        // The empty builder: no configuration files, no logging providers, no hosting startup assemblies — the
        // primary serves only this, and its memory is part of the benchmark (docs/metrics.md).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "roost-admin" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint);
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(new AdminAuthorization(options.BearerToken));
        var app = builder.Build();
        app.Use(AdminAuthorization.Middleware);
        app.MapGet("/metrics", WriteMetricsAsync);
        app.MapGet("/api/metrics", WriteSnapshotAsync);
        DashboardEndpoints.Map(app);
        foreach (var endpoints in options.Endpoints)
        {
            endpoints(app);
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kestrel wraps the bind failure (address in use, permission denied, address not on this machine).
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(ClusterErrorMessages.AdminListenFailed(endPoint, (ex.InnerException ?? ex).Message.TrimEnd('.') + "."), ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var bound = address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri) ? new IPEndPoint(endPoint.Address, uri.Port) : endPoint;
        Log.Listening(services.Logger, EndPointText.Describe(bound), options.BearerToken is not null);
        return new AdminListener(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The grace period ended: the remaining admin connections are closed by disposal.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task WriteMetricsAsync(HttpContext context)
    {
        var services = context.RequestServices.GetRequiredService<AdminServices>();
        // The Prometheus text format, version 0.0.4 (what every scraper accepts).
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await services.Prometheus.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteSnapshotAsync(HttpContext context)
    {
        var services = context.RequestServices.GetRequiredService<AdminServices>();
        var snapshot = await services.GetSnapshotAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, snapshot, ControlJsonContext.Default.MetricsSnapshot, context.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.AdminListening, LogLevel.Information, "Admin listener on http://{EndPoint} (dashboard at /, metrics at /metrics; token required: {TokenRequired})", EventName = "AdminListening")]
        public static partial void Listening(ILogger logger, string endPoint, bool tokenRequired);
    }
}
