using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Roost.Server.Internal;

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
        var app = Build(provider, warmUp: false);
        app.Run(server.Dispatcher.HandleAsync);
        _app = app;

        ulong? handle = null;
        if (provider is not null)
        {
            await provider.BeforeStartAsync(WarmUpAsync, cancellationToken).ConfigureAwait(false);
            handle = await provider.GetHandleAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }

        // The end point is added after the build (Kestrel reads its listen options when it starts), so the socket
        // can be chosen late: a hot spare learns its slot only when it is promoted.
        ListenOptions? bound = null;
        var kestrelOptions = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        if (handle is { } fd)
        {
            kestrelOptions.ListenHandle(fd, listen => bound = Configure(listen));
        }
        else
        {
            kestrelOptions.Listen(endPoint, listen => bound = Configure(listen));
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        // Kestrel writes the bound end point (with the real port for port 0) back into the listen options.
        return bound?.IPEndPoint ?? endPoint;
    }

    /// <summary>
    /// Runs a throwaway copy of this server (same Kestrel settings, protocols and TLS, but a terminal delegate that
    /// answers 204 and never calls the application's handler) on a private loopback port, sends it one request and
    /// stops it: Kestrel's start, accept, TLS and request paths are then compiled before the real start. A hot spare
    /// does this while it waits. Best effort: a failure only means a colder start.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        WebApplication? app = null;
        try
        {
            app = Build(provider: null, warmUp: true);
            app.Run(static context =>
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            });
            ListenOptions? bound = null;
            var kestrelOptions = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
            kestrelOptions.Listen(IPAddress.Loopback, 0, listen => bound = Configure(listen));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var port = bound?.IPEndPoint?.Port ?? 0;
            var protocols = server.KestrelProtocols;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await WarmUpClient.SendAsync(port, server.IsSecure, protocols.HasFlag(HttpProtocols.Http2), protocols == HttpProtocols.Http2, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Best effort (e.g. a server that requires client certificates refuses the warm-up handshake).
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private WebApplication Build(IListenHandleProvider? provider, bool warmUp)
    {
        var options = server.Options;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Roost" });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        if (!warmUp && server.LoggerFactory is { } loggerFactory)
        {
            // The warm-up copy logs nothing: its private port would only confuse.
            builder.Services.AddSingleton(loggerFactory);
        }

        if (!warmUp)
        {
            options.ConfigureServices?.Invoke(builder.Services);
        }

        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        provider?.ConfigureServices(builder.Services);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
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

        return builder.Build();
    }

    private ListenOptions Configure(ListenOptions listen)
    {
        listen.Protocols = server.KestrelProtocols;
        if (server.IsSecure)
        {
            var tls = new TlsHandshakeCallbackOptions { OnConnection = server.OnTlsHandshake };
            // Before UseHttps, so it runs first: refuses first records that are not a ClientHello (which would reach
            // SslStream with no certificate), and marks connections whose ClientHello offers TLS 1.3.
            listen.Use(ClientHelloPeek.Middleware(tls.HandshakeTimeout, server.SplitsTls13, server.Logger));

            listen.UseHttps(tls);
        }

        // After UseHttps: it sees the decrypted h2 frames (and cleartext h2c as they come).
        listen.Use(server.Http2Guard.Middleware);
        return listen;
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
