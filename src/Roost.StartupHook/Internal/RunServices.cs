using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.InWorker;

namespace Roost.StartupHook.Internal;

/// <summary>
/// The services <c>roost run</c> adds to an unmodified app, after its own registrations:
/// <list type="number">
/// <item>Kestrel serves the sockets the primary owns (<c>PostConfigure</c> + <c>ListenHandle</c>: <c>Configure</c>/<c>ConfigureKestrel</c>
/// with <c>UseHttps</c> from injected code crashes, design.md) with Roost's TLS: h2 + HTTP/1.1, the chain sent;</item>
/// <item>endpoints from the app's configuration (<c>Kestrel:Endpoints</c>) are reported and cleared, URLs reported
/// (Kestrel itself lets explicit listeners win over them);</item>
/// <item>the worker side of the cluster: ready when the host has started, drain on the primary's stop (keep-alive
/// window with <c>Connection: close</c>, then the host's graceful stop, bounded by the drain timeout);</item>
/// <item>with <c>--state</c>, the shared key ring and <c>IDistributedCache</c> (<c>AddRoostSharedState</c>).</item>
/// </list>
/// </summary>
internal sealed class RunServices(RunWorkerConfig config, WorkerRuntime runtime, IReadOnlyList<RunListener> listeners)
{
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(config);
        services.AddSingleton(runtime);
        services.AddSingleton(listeners);
        services.AddSingleton<RunTls>();
        services.AddSingleton<RunDrain>();
        services.AddTransient<IStartupFilter, RunDrain.StartupFilter>();
        services.AddHostedService<RunWorkerService>();

        // A transport for connections the primary hands over (only used with hand-off sharing).
        runtime.ConfigureServices(services);
        services.PostConfigure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(config.DrainTimeoutMilliseconds));
        services.AddOptions<KestrelServerOptions>().PostConfigure<RunTls, ILoggerFactory, IConfiguration>(ConfigureKestrel);

        if (config.HasState)
        {
            services.AddRoostSharedState(o =>
            {
                o.Directory = config.StateDirectory ?? o.Directory;
                o.Redis = config.StateRedis;
            });
        }
    }

    private void ConfigureKestrel(KestrelServerOptions kestrel, RunTls tls, ILoggerFactory loggers, IConfiguration configuration)
    {
        var logger = loggers.CreateLogger("Roost.Run");
        var endpoints = kestrel.ConfigurationLoader?.Configuration.GetSection("Endpoints").GetChildren().Select(c => c.Key).ToList();
        if (endpoints is { Count: > 0 })
        {
            // They would bind in addition to Roost's sockets (each worker on its own, outside the cluster).
            Log.ConfigurationEndpointsIgnored(logger, string.Join(", ", endpoints));
            kestrel.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
        }

        var urls = string.Join(' ', new[] { "urls", "http_ports", "https_ports" }.Select(k => configuration[k]).Where(v => !string.IsNullOrWhiteSpace(v)));
        if (urls.Length > 0)
        {
            Log.UrlsIgnored(logger, urls);
        }

        if (config.MaxBodySize is { } maxBodySize)
        {
            // Only an explicit --max-body-size: it wins over the app's own setting (PostConfigure runs last).
            kestrel.Limits.MaxRequestBodySize = maxBodySize == 0 ? null : maxBodySize;
        }

        foreach (var listener in listeners)
        {
            kestrel.ListenHandle(listener.Handle, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                var handshake = new TlsHandshakeCallbackOptions { OnConnection = tls.OnConnection };

                // Before UseHttps, as in roost serve: marks ClientHellos offering TLS 1.3, and those offering only
                // acme-tls/1 (TLS-ALPN-01 challenges of --domain, answered by the handshake callback); refuses first
                // records that are not a ClientHello.
                listen.Use(tls.ClientHelloPeek(handshake.HandshakeTimeout));
                listen.UseHttps(handshake);
                // After UseHttps: the guard sees the decrypted h2 frames (docs/run.md, HTTP/2 protection).
                listen.Use(tls.Http2Guard.Middleware);
            });
        }
    }
}
