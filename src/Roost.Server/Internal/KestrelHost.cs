using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Roost.Internal;

/// <summary>
/// The Kestrel instance behind one <see cref="HttpServer"/>: the smallest web application (empty builder, one
/// terminal request delegate), so the façade runs on exactly the pipeline a minimal Kestrel app runs on.
/// </summary>
internal sealed class KestrelHost(HttpServer server) : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>
    /// Builds the app, then (in a cluster worker) asks <paramref name="provider"/> for the socket and starts. A hot spare
    /// waits in <see cref="IListenHandleProvider.BeforeStartAsync"/>, after the build: only <c>StartAsync</c> is left.
    /// </summary>
    public async Task<IPEndPoint> StartAsync(IPEndPoint endPoint, IListenHandleProvider? provider, CancellationToken cancellationToken)
    {
        var options = server.Options;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Roost" });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        options.ConfigureServices?.Invoke(builder.Services);
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        provider?.ConfigureServices(builder.Services);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);

        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Node sends no Server header; neither do we.
            kestrel.AddServerHeader = false;
            var limits = options.Limits;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodySize;
            kestrel.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.MaxConcurrentConnections;
            kestrel.Limits.Http2.MaxStreamsPerConnection = limits.MaxConcurrentStreams;
        });

        var app = builder.Build();
        app.Run(server.Dispatcher.HandleAsync);
        _app = app;

        ulong? handle = null;
        if (provider is not null)
        {
            await provider.BeforeStartAsync(cancellationToken).ConfigureAwait(false);
            handle = await provider.GetHandleAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = server.KestrelProtocols;
            if (server.IsSecure)
            {
                listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = server.OnTlsHandshake });
            }

            bound = listen;
        }

        // The end point is added after the build (Kestrel reads its listen options when it starts), so the socket
        // can be chosen late: a hot spare learns its slot only when it is promoted.
        var kestrelOptions = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        if (handle is { } fd)
        {
            kestrelOptions.ListenHandle(fd, Configure);
        }
        else
        {
            kestrelOptions.Listen(endPoint, Configure);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        // Kestrel writes the bound end point (with the real port for port 0) back into the listen options.
        return bound?.IPEndPoint ?? endPoint;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _app is null ? Task.CompletedTask : _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }
}
