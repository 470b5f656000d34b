using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Roost.Internal;

/// <summary>
/// The Kestrel instance behind one <see cref="HttpServer"/>: the smallest web application (empty builder, one
/// terminal request delegate), so the façade runs on exactly the pipeline a minimal Kestrel app runs on.
/// </summary>
internal sealed class KestrelHost(HttpServer server) : IAsyncDisposable
{
    private WebApplication? _app;

    public async Task<IPEndPoint> StartAsync(IPEndPoint endPoint, ulong? handle, CancellationToken cancellationToken)
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
        ListenHandles.Provider?.ConfigureServices(builder.Services);
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

            void Configure(ListenOptions listen)
            {
                listen.Protocols = server.KestrelProtocols;
                if (server.IsSecure)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = server.OnTlsHandshake });
                }

                bound = listen;
            }

            if (handle is { } fd)
            {
                kestrel.ListenHandle(fd, Configure);
            }
            else
            {
                kestrel.Listen(endPoint, Configure);
            }
        });

        var app = builder.Build();
        app.Run(server.Dispatcher.HandleAsync);
        _app = app;
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
