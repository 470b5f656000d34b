using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Roost.Server.Internal.Http2Guard;

/// <summary>
/// A Kestrel connection middleware, added after <c>UseHttps</c>, that watches the decrypted HTTP/2 frames of every h2
/// connection of one server (HTTP/2 framing, HPACK and TLS stay Kestrel's and SslStream's):
/// <list type="number">
/// <item>abuse (Rapid Reset, CONTINUATION and empty-frame floods, SETTINGS/PING floods) ends the connection with
/// GOAWAY(ENHANCE_YOUR_CALM) before Kestrel processes the offending frame, then a lingering close (what the client
/// still sends is read and dropped for up to <see cref="ConnectionGuard.LingerTime"/>, so the GOAWAY is not lost to a
/// TCP reset);
/// the log gets a bounded summary (<see cref="Http2AbuseLog"/>);</item>
/// <item>a graceful close sends GOAWAY(2^31−1) first (<see cref="SendGracefulGoAway"/>, RFC 9113 §6.8), so streams
/// already in flight are served instead of refused when Kestrel's own GOAWAY follows.</item>
/// </list>
/// HTTP/1.1 connections are not wrapped and cost nothing.
/// </summary>
internal sealed class Http2ConnectionGuard
{
    private static readonly TimeSpan QuietPollInterval = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<ConnectionGuard, byte> _connections = new();
    private readonly Http2GuardLimits _limits;
    private readonly bool _cleartextHttp2;
    private readonly ILogger _logger;

    public Http2ConnectionGuard(Http2Options options, HttpProtocols protocols, bool secure, ILogger logger)
    {
        _limits = Http2GuardLimits.From(options);
        GracePeriod = options.GoAwayGracePeriod;
        _cleartextHttp2 = !secure && protocols == HttpProtocols.Http2;
        _logger = logger;
        AbuseLog = new Http2AbuseLog(logger);
    }

    /// <summary>Gets how long streams are still served after the graceful GOAWAY.</summary>
    public TimeSpan GracePeriod { get; }

    /// <summary>Gets the abuse log of this server.</summary>
    public Http2AbuseLog AbuseLog { get; }

    /// <summary>Gets the number of h2 connections open now.</summary>
    public int Count => _connections.Count;

    /// <summary>The middleware, for <c>ListenOptions.Use</c> after <c>UseHttps</c>.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => context => OnConnectionAsync(context, next);

    /// <summary>
    /// Sends GOAWAY(2^31−1, NO_ERROR) on every h2 connection that has not had it yet; returns how many got it. The
    /// caller then keeps serving for <see cref="GracePeriod"/> before it starts Kestrel's graceful stop.
    /// </summary>
    public int SendGracefulGoAway()
    {
        var sent = 0;
        foreach (var connection in _connections.Keys)
        {
            if (connection.SendGracefulGoAway())
            {
                sent++;
            }
        }

        return sent;
    }

    /// <summary>
    /// The first step of a graceful close: GOAWAY(2^31−1) to every h2 connection that has not had it, then
    /// <see cref="GracePeriod"/> of normal serving (skipped when no connection needed the GOAWAY), then
    /// <see cref="WaitForQuietAsync"/>.
    /// </summary>
    public async Task GoAwayAndWaitAsync(CancellationToken cancellationToken)
    {
        if (GracePeriod <= TimeSpan.Zero)
        {
            return;
        }

        var sent = SendGracefulGoAway();
        if (sent > 0)
        {
            Log.Http2GracefulGoAway(_logger, sent, GracePeriod);
            try
            {
                await Task.Delay(GracePeriod, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline passed: Kestrel's stop aborts at once.
                return;
            }
        }

        await WaitForQuietAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After the graceful GOAWAY: waits until no h2 connection has a stream the server has not ended, for at most
    /// <see cref="GracePeriod"/> (long-lived streams, e.g. server-sent events, are left to Kestrel's graceful stop and
    /// its shutdown timeout) or until <paramref name="cancellationToken"/> (the drain deadline). Kestrel's graceful
    /// stop then finds no active stream and sends its final GOAWAY at once. Stopping it while a stream finishes can lose that stream's last frames:
    /// Kestrel's frame writer counts a stream as done before it writes its final frame, so the final GOAWAY and the
    /// end of the connection can overtake them — a stream at or below the GOAWAY's last-stream-id that never gets its
    /// answer (seen as rare lost h2 requests on reloads).
    /// </summary>
    public async Task WaitForQuietAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(GracePeriod);
        try
        {
            while (_connections.Keys.Any(c => c.GracefulGoAwaySent && c.OpenStreams > 0))
            {
                await Task.Delay(QuietPollInterval, limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The drain deadline passed: Kestrel's stop aborts at once.
        }
    }

    private bool IsHttp2(ConnectionContext context)
    {
        if (context.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn && context.Features.Get<ITlsHandshakeFeature>() is not null)
        {
            return alpn.ApplicationProtocol.Span.SequenceEqual("h2"u8);
        }

        return _cleartextHttp2;
    }

    private async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (!IsHttp2(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var transport = context.Transport;
        var guard = new ConnectionGuard(transport, _limits, context.RemoteEndPoint?.ToString() ?? "(unknown)");
        _connections.TryAdd(guard, 0);
        context.Transport = guard;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(guard, out _);
            context.Transport = transport;
        }

        if (guard.Abuse != Http2Abuse.None)
        {
            AbuseLog.Closed(guard);
            // Kestrel is done with the output: a GOAWAY still waiting for a safe moment goes out now.
            try
            {
                await guard.GuardedOutput.FinishAsync().WaitAsync(ConnectionGuard.LingerTime).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The client does not read: the connection closes without waiting for it.
            }
        }
    }
}
