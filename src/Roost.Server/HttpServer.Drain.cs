namespace Roost;

/// <summary>The keep-alive drain used when a cluster worker is replaced.</summary>
public sealed partial class HttpServer
{
    /// <summary>
    /// Closes like <see cref="CloseAsync"/>, but first, for <paramref name="keepAliveWindow"/>, answers every HTTP/1.1
    /// request with <c>Connection: close</c>: busy keep-alive connections are closed by the server right after an
    /// answer instead of while idle, which races with a client sending its next request on them (a reset under the
    /// client). HTTP/2 connections get GOAWAY at the close as usual.
    /// </summary>
    /// <param name="keepAliveWindow">How long to answer with <c>Connection: close</c> before closing; zero closes at once.</param>
    /// <param name="cancellationToken">When cancelled, the remaining connections are aborted at once.</param>
    /// <returns>A task that completes when the server is closed.</returns>
    internal async Task DrainAsync(TimeSpan keepAliveWindow, CancellationToken cancellationToken)
    {
        if (keepAliveWindow > TimeSpan.Zero && _closeTask is null)
        {
            _dispatcher.CloseKeepAlive = true;
            try
            {
                await Task.Delay(keepAliveWindow, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline passed during the window: close (aborting) at once.
            }
        }

        await CloseAsync(cancellationToken).ConfigureAwait(false);
    }
}
