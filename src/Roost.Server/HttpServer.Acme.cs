using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Roost.Acme;
using Roost.Server.Internal;
using Roost.Tls;
using Roost.Tls.Resumption;

namespace Roost;

/// <summary>
/// The certificate store, and automatic certificates (<see cref="SecureServerOptions.Acme"/>): the server runs its own
/// ACME manager from <c>ListenAsync</c> until it is closed, as Caddy's library does — obtain (or reuse) the
/// certificate before the port is served, renew it in the background, and let the certificate watcher swap renewals in.
/// </summary>
public sealed partial class HttpServer
{
    /// <summary>
    /// How many failed attempts <c>ListenAsync</c> accepts while it waits for the first certificate (back-off 2 s, then
    /// 4 s: about 6 s when the CA cannot be reached) before it gives up; a refused validation ends it at once.
    /// </summary>
    internal const int AcmeFirstCertificateAttempts = 3;

    private readonly AcmeOptions? _acme;
    private readonly Func<ServedCertificate, Task>? _prepareCertificate;
    private readonly CancellationTokenSource _acmeStop = new();
    private AcmeCertificateManager? _acmeManager;

    /// <summary>
    /// Raised after an attempt to obtain or renew the <see cref="SecureServerOptions.Acme"/> certificate failed (also
    /// logged when <see cref="ServerOptions.LoggerFactory"/> is set): the CA's answer and what to check, the attempt
    /// number, and when the next attempt is due. Raised on the thread that made the attempt: <c>ListenAsync</c>'s while
    /// it waits for the first certificate (a handler that throws ends <c>ListenAsync</c> with its exception), a
    /// thread-pool thread for renewals (a handler that throws is logged; renewals go on).
    /// </summary>
    /// <remarks>
    /// While <c>ListenAsync</c> waits for the first certificate it gives up after three failed attempts (about 6 seconds
    /// when the CA cannot be reached) or at once when the CA refused to validate a name, and throws a
    /// <see cref="CertificateLoadException"/> with the last failure: the event is raised for each attempt first, the
    /// last with <see cref="AcmeAttemptFailedEventArgs.NextAttempt"/> <see langword="null"/>. With
    /// <see cref="AcmeOptions.FallbackToDevelopment"/> <c>ListenAsync</c> does not wait, and failures are only reported here.
    /// </remarks>
    public event EventHandler<AcmeAttemptFailedEventArgs>? AcmeAttemptFailed;

    /// <summary>Loads and checks the certificates (<paramref name="managed"/>: the ACME manager's files instead of the options' own), and sets up their watcher.</summary>
    private void CreateStore(SecureServerOptions secure, CertificateSource? managed)
    {
        var store = CertificateStore.Create(secure, _logger, _prepareCertificate, managed);
        store.Reloaded += outcome => CertificateReloaded?.Invoke(this, new CertificateReloadedEventArgs(outcome));

        // The managed files are always watched: renewals replace them in place.
        _watcher = new CertificateFileWatcher(store, _logger, managed is not null || secure.WatchCertificateFiles);
        _store = store;
    }

    /// <summary>
    /// Starts the ACME manager for a server about to listen on <paramref name="endPoint"/> (HTTP-01 listener on the
    /// same address; TLS-ALPN-01 on this port until the first certificate exists), waits until a certificate can be
    /// served (or installs the development chain with <see cref="AcmeOptions.FallbackToDevelopment"/>), then loads it.
    /// </summary>
    private async Task StartAcmeAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var acme = _acme!;
        if (ListenHandles.Provider is not null)
        {
            throw new InvalidOperationException(ErrorMessages.AcmeInClusterWorker(string.Join(", ", acme.Domains)));
        }

        var settings = acme.ToSettings(endPoint.Port);
        var logger = (LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Roost.Acme");
        AcmeCertificateManager manager;
        try
        {
            manager = AcmeCertificateManager.Start(settings, endPoint.Address, logger);
            manager.AttemptFailed = failure => AcmeAttemptFailed?.Invoke(this, failure);
        }
        catch (AcmeSetupException ex) when (ex.InnerException is SocketException)
        {
            throw new ListenException(ex.Message, Describe(endPoint), ex);
        }
        catch (AcmeSetupException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }

        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _acmeStop.Token);
            if (settings.FallbackToDevelopment && !manager.HasCertificate)
            {
                manager.InstallDevelopmentPlaceholder();
            }
            else
            {
                try
                {
                    await manager.EnsureCertificateAsync(stop.Token, AcmeFirstCertificateAttempts).ConfigureAwait(false);
                }
                catch (AcmeException ex)
                {
                    throw new CertificateLoadException(
                        ErrorMessages.AcmeListenGaveUp(string.Join(", ", settings.Names), settings.DirectoryUrl, ex.IsValidationFailure, ex.Message),
                        path: null,
                        option: "SecureServerOptions.Acme",
                        ex);
                }
            }

            CreateStore((SecureServerOptions)_options, CertificateSource.FromPemFiles(manager.CertPath, manager.KeyPath));
            manager.StartRenewals();
            _acmeManager = manager;
        }
        catch
        {
            await manager.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StopAcmeAsync()
    {
        if (Interlocked.Exchange(ref _acmeManager, null) is { } manager)
        {
            await manager.DisposeAsync().ConfigureAwait(false);
        }
    }
}
