using System.Net;
using System.Net.Security;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Metrics;
using Roost.Server.Internal;
using Roost.Tls;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The admin listener: Kestrel in the primary (HTTP/1.1 and h2c; HTTP/1.1 and h2 over TLS with
/// <see cref="ClusterAdminOptions.Tls"/>, whose files are read again when they change), on its own end point — nothing of it is reachable through the workers' port. Every request passes
/// <see cref="AdminAuthorization"/> first; then <c>/metrics</c> (Prometheus text), <c>/api/metrics</c> (the snapshot as
/// JSON), the dashboard (<see cref="DashboardEndpoints"/>) and the routes of <see cref="ClusterAdminOptions.Endpoints"/>.
/// </summary>
/// <remarks>Lifetime: started once by the supervisor, before the first worker; disposed when the cluster stops (in-flight admin requests get 2 s).</remarks>
internal sealed partial class AdminListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private AdminListener(WebApplication app, IPEndPoint boundEndPoint, bool isSecure)
    {
        _app = app;
        EndPoint = boundEndPoint;
        IsSecure = isSecure;
    }

    /// <summary>Gets the bound end point (the real port when 0 was asked).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Gets a value indicating whether the listener speaks HTTPS (<see cref="ClusterAdminOptions.Tls"/> was set).</summary>
    public bool IsSecure { get; }

    /// <summary>Gets the listener's base address, e.g. <c>https://127.0.0.1:9090/</c>.</summary>
    public string Url => $"{(IsSecure ? "https" : "http")}://{EndPointText.Describe(EndPoint)}/";

    /// <summary>Binds and starts the listener.</summary>
    /// <exception cref="InvalidOperationException">The settings are not usable, or the end point cannot be bound (the message says which and why).</exception>
    public static async Task<AdminListener> StartAsync(ClusterAdminOptions options, AdminServices services, CancellationToken cancellationToken)
    {
        var endPoint = options.EndPoint ?? throw new InvalidOperationException("The admin listener has no end point.");
        if (options.Validate() is [var first, ..])
        {
            throw new InvalidOperationException(first);
        }

        AdminCertificate? certificate = null;
        if (options.Tls is { } tls)
        {
            try
            {
                certificate = AdminCertificate.Load(tls, services.Logger);
            }
            catch (CertificateLoadException ex)
            {
                throw new InvalidOperationException(ClusterErrorMessages.AdminCertificateFailed(endPoint, ex.Message), ex);
            }
        }
        else if (!IPAddress.IsLoopback(endPoint.Address))
        {
            Log.PlainHttpOnNetwork(services.Logger, EndPointText.Describe(endPoint));
        }

        // The empty builder: no configuration files, no logging providers, no hosting startup assemblies — the
        // primary serves only this, and its memory is part of the benchmark (docs/metrics.md).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "roost-admin" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (certificate is not null)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = certificate.Current(),
                            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                        }),
                    });
                }
            });
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
        var listener = new AdminListener(app, bound, certificate is not null);
        Log.Listening(services.Logger, listener.Url, options.BearerToken is not null);
        return listener;
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
        [LoggerMessage(ClusterEventIds.AdminListening, LogLevel.Information, "Admin listener on {Url} (dashboard at /, metrics at /metrics; token required: {TokenRequired})", EventName = "AdminListening")]
        public static partial void Listening(ILogger logger, string url, bool tokenRequired);

        [LoggerMessage(ClusterEventIds.AdminPlainHttpOnNetwork, LogLevel.Warning, "The admin listener on {EndPoint} is plain HTTP on a network address: the admin token and the dashboard's session cookie cross the network in clear. Give it a certificate (--admin-cert and --admin-key; library: ClusterAdminOptions.Tls), or keep it on 127.0.0.1 behind a proxy that terminates TLS.", EventName = "AdminPlainHttpOnNetwork")]
        public static partial void PlainHttpOnNetwork(ILogger logger, string endPoint);
    }
}
