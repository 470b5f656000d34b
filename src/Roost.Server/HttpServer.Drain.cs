namespace Roost;

/// <summary>The keep-alive drain used when a cluster worker is replaced.</summary>
public sealed partial class HttpServer
{
    /// <summary>
    /// Closes like <see cref="CloseAsync"/>, but first, for <paramref name="keepAliveWindow"/>, answers every HTTP/1.1
    /// request with <c>Connection: close</c>: busy keep-alive connections are closed by the server right after an
    /// answer instead of while idle, which races with a client sending its next request on them (a reset under the
    /// client). HTTP/2 connections get GOAWAY (last stream id 2^31−1) at the start of the window, which lasts at least
    /// <see cref="Http2Options.GoAwayGracePeriod"/> then, and Kestrel's final GOAWAY at the close.
    /// </summary>
    /// <param name="keepAliveWindow">How long to answer with <c>Connection: close</c> before closing; zero closes at once.</param>
    /// <param name="cancellationToken">When cancelled, the remaining connections are aborted at once.</param>
    /// <returns>A task that completes when the server is closed.</returns>
    internal async Task DrainAsync(TimeSpan keepAliveWindow, CancellationToken cancellationToken)
    {
        var window = keepAliveWindow;
        if (_closeTask is null)
        {
            // h2 clients move to the successor during the window too; the close sends the first GOAWAY only to
            // connections accepted since.
            var sent = _http2Guard.SendGracefulGoAway();
            if (sent > 0 && _http2Guard.GracePeriod > window)
            {
                window = _http2Guard.GracePeriod;
            }

            if (sent > 0)
            {
                Log.Http2GracefulGoAway(_logger, sent, window);
            }
        }

        if (window > TimeSpan.Zero && _closeTask is null)
        {
            _dispatcher.CloseKeepAlive = keepAliveWindow > TimeSpan.Zero;
            try
            {
                await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline passed during the window: close (aborting) at once.
            }
        }

        await CloseAsync(cancellationToken).ConfigureAwait(false);
    }
}
