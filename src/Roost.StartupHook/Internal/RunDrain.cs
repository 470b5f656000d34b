using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Roost.StartupHook.Internal;

/// <summary>
/// How a <c>roost run</c> worker stops when the primary asks (reload, scale down, stop): (1) for the keep-alive window,
/// every HTTP/1.1 answer carries <c>Connection: close</c>, so busy keep-alive connections are closed by the server
/// right after an answer instead of while a client sends on them, and h2 connections get GOAWAY (last stream id
/// 2^31−1; the window lasts at least the grace period then); (2) then the app's host stops gracefully
/// (Kestrel: unbind, GOAWAY on h2, in-flight requests finish, bounded by the drain timeout via
/// <c>HostOptions.ShutdownTimeout</c>). The same drain the façade's workers do (docs/cluster.md).
/// </summary>
internal sealed class RunDrain(IHostApplicationLifetime lifetime, RunTls tls)
{
    private volatile bool _closeConnections;

    public async Task DrainAsync(TimeSpan keepAliveWindow, CancellationToken cancellationToken)
    {
        // h2 clients get GOAWAY (last stream id 2^31-1) now and are served for at least the grace period before the
        // host's stop sends Kestrel's final GOAWAY: a stream sent before the client read the first one is not refused.
        var window = keepAliveWindow;
        if (tls.Http2Guard.SendGracefulGoAway() > 0 && tls.Http2Guard.GracePeriod > window)
        {
            window = tls.Http2Guard.GracePeriod;
        }

        if (window > TimeSpan.Zero)
        {
            _closeConnections = keepAliveWindow > TimeSpan.Zero;
            try
            {
                await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline passed during the window: stop at once.
            }
        }

        // No stream in flight when Kestrel stops (Http2ConnectionGuard.WaitForQuietAsync says why).
        await tls.Http2Guard.WaitForQuietAsync(cancellationToken).ConfigureAwait(false);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStopped.Register(stopped.SetResult);
        lifetime.StopApplication();
        try
        {
            await stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout (the same drain timeout) aborts what is left; the runtime exits after.
        }
    }

    private Task Handle(HttpContext context, RequestDelegate next)
    {
        if (_closeConnections && HttpProtocol.IsHttp11(context.Request.Protocol))
        {
            // On starting, so an app that resets its headers cannot drop it; Kestrel closes after the response.
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.Connection = "close";
                return Task.CompletedTask;
            }, context.Response);
        }

        return next(context);
    }

    /// <summary>Puts the <c>Connection: close</c> step in front of the app's pipeline.</summary>
    internal sealed class StartupFilter(RunDrain drain) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(drain.Handle);
            next(app);
        };
    }
}
