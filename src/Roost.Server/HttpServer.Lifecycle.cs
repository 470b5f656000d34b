using Roost.Server.Internal;

namespace Roost;

/// <summary>Closing, waiting and disposal.</summary>
public sealed partial class HttpServer
{
    /// <summary>
    /// Stops accepting and closes gracefully (Node's <c>server.close()</c>): in-flight requests finish for up to
    /// <see cref="ServerOptions.ShutdownTimeout"/>, idle connections close, HTTP/2 clients get GOAWAY.
    /// </summary>
    /// <param name="cancellationToken">When cancelled, the remaining connections are aborted at once.</param>
    /// <returns>A task that completes when the server is closed. Calling it again returns the same task.</returns>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _closeTask ??= CloseCoreAsync(cancellationToken);
        }
    }

    /// <summary>Completes when the server was closed, by <see cref="CloseAsync"/> or by SIGINT/SIGTERM.</summary>
    /// <param name="cancellationToken">Stops waiting (the server keeps running).</param>
    /// <returns>A task that completes when the server is closed.</returns>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _closed.Task.WaitAsync(cancellationToken);

    /// <summary>Closes gracefully (see <see cref="CloseAsync"/>) and releases the certificate. Safe to call more than once.</summary>
    /// <returns>A task that completes when the server is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs on the thread pool after SIGINT/SIGTERM (the signal callback itself only queues this).</summary>
    internal void OnShutdownSignal()
    {
        Log.ShutdownSignal(_logger);
        _ = CloseAsync();
    }

    private async Task CloseCoreAsync(CancellationToken cancellationToken)
    {
        // Let the caller's synchronous part finish before the (possibly long) drain.
        await Task.Yield();

        // A listen still waiting for its first ACME certificate stops waiting.
        await _acmeStop.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_host is { } host)
            {
                var endPoint = LocalEndPoint is null ? "(not bound)" : Describe(LocalEndPoint);
                Log.Closing(_logger, endPoint, _options.ShutdownTimeout);
                // Two-step close of h2 connections (RFC 9113 §6.8): GOAWAY(2^31-1), a grace period of normal serving, then
                // Kestrel's graceful stop sends the final GOAWAY. Without the first step, streams a client sent before it
                // read Kestrel's GOAWAY were above its last-stream-id: refused.
                await _http2Guard.GoAwayAndWaitAsync(cancellationToken).ConfigureAwait(false);
                await host.StopAsync(cancellationToken).ConfigureAwait(false);
                await host.DisposeAsync().ConfigureAwait(false);
                Log.Closed(_logger, endPoint);
            }
        }
        finally
        {
            await StopCertificateWatchAsync().ConfigureAwait(false);
            await StopAcmeAsync().ConfigureAwait(false);
            ProcessSignals.Unregister(this);
            lock (_gate)
            {
                _keepAlive?.Dispose();
                _keepAlive = null;
            }

            _closed.TrySetResult();
        }
    }
}
