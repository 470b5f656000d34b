using System.Runtime.InteropServices;
using Roost.Server.Internal;
using Roost.Tls;

namespace Roost;

/// <summary>Certificate reloads: on file changes, on SIGHUP (when enabled) and on demand.</summary>
public sealed partial class HttpServer
{
    private PosixSignalRegistration? _hangup;

    /// <summary>
    /// Raised after a certificate was reloaded (a new one is served from the next handshake on) or a new set was
    /// rejected (the old one keeps serving). Raised on a thread-pool thread.
    /// </summary>
    public event EventHandler<CertificateReloadedEventArgs>? CertificateReloaded;

    /// <summary>
    /// Reads the certificate files again, checks them and swaps in those that changed and passed, without touching
    /// open connections (the next handshake gets the new certificate). A set that fails the check is reported in the
    /// result and the log, and the old certificate keeps serving. Files still being written are waited for up to
    /// <see cref="SecureServerOptions.CertificateReloadSettleTime"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the reload (nothing is swapped then).</param>
    /// <returns>One outcome per configured certificate.</returns>
    /// <exception cref="InvalidOperationException">The server does not use TLS, or its <see cref="SecureServerOptions.Acme"/> certificate is not obtained yet (it does not listen).</exception>
    /// <remarks>This is also what a cluster primary calls in each worker after it validated renewed files.</remarks>
    public Task<CertificateReloadResult> ReloadCertificatesAsync(CancellationToken cancellationToken = default)
    {
        if (_store is null)
        {
            throw new InvalidOperationException(_acme is not null ? ErrorMessages.AcmeNotStarted() : ErrorMessages.NotSecure());
        }

        return _store.ReloadAsync(cancellationToken);
    }

    /// <summary>Starts the certificate file watcher (when on) and the SIGHUP reload (when asked): at listen, or by a server used only for its handshake callback (roost run's workers).</summary>
    internal void StartCertificateWatch()
    {
        if (_watcher is null)
        {
            return;
        }

        _watcher.Start();
        if (_reloadOnHangup && !OperatingSystem.IsWindows())
        {
            // The callback only queues a reload (no logging, no waiting in a signal handler). Taken also when inherited
            // as ignored (nohup): SIGHUP means reload however the process was started.
            _hangup = InheritedSignals.Register(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _watcher.Request();
            }, out _);
        }
    }

    private async Task StopCertificateWatchAsync()
    {
        _hangup?.Dispose();
        _hangup = null;
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync().ConfigureAwait(false);
        }
    }
}
