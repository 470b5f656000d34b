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
    private readonly AcmeOptions? _acme;
    private readonly Func<ServedCertificate, Task>? _prepareCertificate;
    private readonly CancellationTokenSource _acmeStop = new();
    private AcmeCertificateManager? _acmeManager;

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
                await manager.EnsureCertificateAsync(stop.Token).ConfigureAwait(false);
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
