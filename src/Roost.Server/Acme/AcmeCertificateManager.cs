using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Roost.Server.Internal;
using Roost.Tls;

namespace Roost.Acme;

/// <summary>
/// Keeps one certificate (one or several names) obtained and renewed from an ACME CA, in the process that talks to
/// the CA (the cluster primary, or the single process of <c>--workers 0</c>).
/// </summary>
/// <remarks>
/// <para>Lifetime: <see cref="Start"/> takes the names' lock and binds the HTTP-01 listener; <see cref="EnsureCertificateAsync"/>
/// returns once a certificate that can be served exists (at first start it orders one, retrying with back-off);
/// <see cref="StartRenewals"/> then renews in the background; disposing stops renewing, closes the listener and
/// releases the lock. The files it writes are what the servers load (<see cref="CertPath"/>, <see cref="KeyPath"/>):
/// a renewal replaces them and the servers' certificate watchers check and hot-swap them, as for any renewed file.</para>
/// <para>Schedule: renew at two thirds of the certificate's lifetime, minus a random jitter of up to 1/30 of it (so
/// many hosts do not renew together), or at once when the names changed. A failed attempt is retried with
/// exponential back-off: from 2 seconds (up to 10 minutes) when the CA could not be reached or failed, from 2 minutes
/// (up to 1 hour) when it refused a challenge (Let's Encrypt allows 5 failed validations per name per hour), and
/// never sooner than the CA's Retry-After. A valid certificate keeps being served while attempts fail.</para>
/// </remarks>
internal sealed class AcmeCertificateManager : IAsyncDisposable
{
    private static readonly TimeSpan TransientBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan TransientBackoffCap = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ValidationBackoff = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ValidationBackoffCap = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryAfterCap = TimeSpan.FromDays(1);

    /// <summary>The renewal loop wakes at least this often, so a clock change or a long sleep does not delay a renewal by days.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromHours(1);

    private readonly AcmeSettings _settings;
    private readonly AcmeStorage _storage;
    private readonly AcmeLock _lock;
    private readonly Http01Responder? _http01;
    private TlsAlpnResponder? _tlsAlpn;
    private bool _tlsAlpnUnavailable;
    private bool _renewalInfoUnsupported;
    private readonly X509Certificate2Collection _caRoots;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _names;
    private Task? _renewals;
    private int _firstAttemptLimit = int.MaxValue;
    private int _firstFailures;

    private AcmeCertificateManager(AcmeSettings settings, AcmeStorage storage, AcmeLock fileLock, Http01Responder? http01, X509Certificate2Collection caRoots, ILogger logger)
    {
        _settings = settings;
        _storage = storage;
        _lock = fileLock;
        _http01 = http01;
        _caRoots = caRoots;
        _logger = logger;
        _names = string.Join(", ", settings.Names);
    }

    /// <summary>The certificate file the servers load (the leaf, then its chain).</summary>
    public string CertPath => _storage.CertPath;

    /// <summary>The key file the servers load.</summary>
    public string KeyPath => _storage.KeyPath;

    /// <summary>The HTTP-01 listener's address, or <see langword="null"/> when it is off.</summary>
    public IPEndPoint? Http01EndPoint => _http01?.LocalEndPoint;

    /// <summary>
    /// Called after each failed attempt (first order and renewals), after it was logged and scheduled: the façade raises
    /// <see cref="HttpServer.AcmeAttemptFailed"/> with it, so a program without a logger still learns why.
    /// </summary>
    public Action<AcmeAttemptFailedEventArgs>? AttemptFailed { get; set; }

    /// <summary>The first-start TLS-ALPN-01 responder's address, or <see langword="null"/> when it is not running.</summary>
    public IPEndPoint? TlsAlpnEndPoint => _tlsAlpn?.LocalEndPoint;

    /// <summary>
    /// Takes the lock of the names, loads the CA trust file and binds the HTTP-01 listener on <paramref name="address"/>;
    /// with TLS-ALPN-01 allowed and no certificate to serve yet, also binds the serving port to answer it until the
    /// first certificate is installed (<see cref="TlsAlpnResponder"/>).
    /// </summary>
    /// <exception cref="AcmeSetupException">The names are managed by another instance, the CA certificate file is bad, or a port cannot be bound.</exception>
    public static AcmeCertificateManager Start(AcmeSettings settings, IPAddress address, ILogger logger)
    {
        var storage = settings.Storage;
        try
        {
            storage.EnsureFolders();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AcmeSetupException(ErrorMessages.AcmeStateUnreadable(storage.CertificateFolder, ex.Message, settings.SettingNames), ex);
        }

        var fileLock = AcmeLock.TryTake(storage.LockPath, out var holder)
            ?? throw new AcmeSetupException(ErrorMessages.AcmeLocked(string.Join(", ", settings.Names), storage.CertificateFolder, holder, settings.SettingNames));
        try
        {
            var roots = LoadCaRoots(settings.CaCertificateFile, settings.SettingNames);
            Http01Responder? http01 = null;
            if (settings.HttpPort > 0)
            {
                var endPoint = new IPEndPoint(address, settings.HttpPort);
                try
                {
                    http01 = Http01Responder.Start(endPoint, settings.HttpsPort, logger);
                }
                catch (SocketException ex)
                {
                    throw new AcmeSetupException(ListenErrors.Translate(ex, endPoint, EndPointText.Describe(endPoint), ErrorMessages.AcmeHttp01PortHint(settings.SettingNames)).Message, ex);
                }

                AcmeLog.Http01Listening(logger, EndPointText.Describe(http01.LocalEndPoint));
            }

            var manager = new AcmeCertificateManager(settings, storage, fileLock, http01, roots, logger);
            try
            {
                manager.StartTlsAlpnResponder(address);
            }
            catch
            {
                manager.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }

            return manager;
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns once a certificate that can be served (parses, has its key, not expired) is on disk: at once when one
    /// is stored (even for other names: it serves until the new order succeeds), otherwise after ordering one,
    /// retrying failed attempts with back-off until <paramref name="cancellationToken"/> is cancelled — or, with
    /// <paramref name="attemptLimit"/>, until that many attempts have failed or the CA refused a validation.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="attemptLimit">How many failed attempts to accept before giving up; <see langword="null"/>: never give up (the CLI, which logs each).</param>
    /// <exception cref="AcmeException">With <paramref name="attemptLimit"/>: the failure of the attempt that ended the wait.</exception>
    public async Task EnsureCertificateAsync(CancellationToken cancellationToken, int? attemptLimit = null)
    {
        _firstAttemptLimit = attemptLimit ?? int.MaxValue;
        _firstFailures = 0;
        try
        {
            await ObtainFirstAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The servers bind the serving port next (and answer later TLS-ALPN-01 challenges themselves).
            await StopTlsAlpnResponderAsync().ConfigureAwait(false);
        }
    }

    private async Task ObtainFirstAsync(CancellationToken cancellationToken)
    {
        using var current = LoadCurrent();
        if (current is not null)
        {
            var state = _storage.ReadState();
            AcmeLog.CertificateReused(_logger, _names, current.SerialNumber, current.NotAfter.ToUniversalTime(), _storage.CertPath, DueAt(current, state));
            return;
        }

        AcmeLog.NoCertificateYet(_logger, _names, _settings.DirectoryUrl, _settings.SettingNames.FallbackToDevelopment);
        while (true)
        {
            var wait = DueAt(null, _storage.ReadState()) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            if (await TryObtainAsync(cancellationToken, first: true).ConfigureAwait(false) is not { } failure)
            {
                return;
            }

            if (failure.GivesUp)
            {
                throw failure.Error;
            }
        }
    }

    /// <summary>Whether a certificate that can be served (not the development placeholder) is stored.</summary>
    public bool HasCertificate
    {
        get
        {
            using var current = LoadCurrent();
            return current is not null;
        }
    }

    /// <summary>
    /// <c>--acme-fallback dev</c> at first start: installs the development chain (<paramref name="certificatePem"/>, leaf
    /// then chain, and its key) as the managed files, so the servers start at once and serve it; the first issued
    /// certificate replaces it through the same hot swap as a renewal. The state remembers its serial, so it never
    /// counts as a certificate (not for the schedule, not after a restart).
    /// </summary>
    public void InstallPlaceholder(string certificatePem, string keyPem)
    {
        using var leaf = X509Certificate2.CreateFromPem(certificatePem);
        var state = _storage.ReadState() ?? new AcmeCertificateState { Names = _settings.Names };
        _storage.WriteState(state with { PlaceholderSerial = leaf.SerialNumber });
        _storage.WriteCertificate(certificatePem, keyPem);
        AcmeLog.PlaceholderInstalled(_logger, _names, leaf.SerialNumber, _settings.DirectoryUrl, _settings.SettingNames.FallbackToDevelopment);
    }

    /// <summary>
    /// <see cref="InstallPlaceholder"/> with the development chain (<see cref="DevelopmentCertificates"/>, created once):
    /// the fallback of <c>--acme-fallback dev</c> and <see cref="AcmeOptions.FallbackToDevelopment"/>.
    /// </summary>
    /// <exception cref="IOException">The chain cannot be created or read, or the managed files cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">A folder does not allow it.</exception>
    public void InstallDevelopmentPlaceholder()
    {
        var development = DevelopmentCertificates.Ensure();
        InstallPlaceholder(
            File.ReadAllText(development.CertPath) + File.ReadAllText(development.ChainPath),
            File.ReadAllText(development.KeyPath));
    }

    /// <summary>Starts renewing in the background (until disposed).</summary>
    public void StartRenewals() => _renewals ??= Task.Run(() => RenewLoopAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_renewals is not null)
        {
            try
            {
                await _renewals.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting or ordering: expected.
            }
        }

        if (_http01 is not null)
        {
            await _http01.DisposeAsync().ConfigureAwait(false);
        }

        await StopTlsAlpnResponderAsync().ConfigureAwait(false);

        _lock.Dispose();
        _stop.Dispose();
    }

    /// <summary>When the next attempt is due: the stored schedule when it is for these names, else at once.</summary>
    internal DateTimeOffset DueAt(X509Certificate2? current, AcmeCertificateState? state)
    {
        var sameNames = state is not null && SameNames(state.Names, _settings.Names);
        if (sameNames && state!.NextAttempt is { } next && (state.FailedAttempts > 0 || (current is not null && SameNames(HostNames.Of(current), _settings.Names))))
        {
            return next;
        }

        return current is not null && SameNames(HostNames.Of(current), _settings.Names) ? RenewAt(current.NotBefore.ToUniversalTime(), current.NotAfter.ToUniversalTime()) : DateTimeOffset.UtcNow;
    }

    /// <summary>Two thirds into the lifetime, minus up to 1/30 of it at random (jitter).</summary>
    internal static DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var lifetime = notAfter - notBefore;
        var jitter = lifetime / 30 * Random.Shared.NextDouble();
        return notBefore + (lifetime * 2 / 3) - jitter;
    }

    /// <summary>The back-off before attempt <paramref name="failures"/> + 1 (see the type's remarks).</summary>
    internal static TimeSpan Backoff(AcmeException failure, int failures)
    {
        var (start, cap) = failure.IsValidationFailure ? (ValidationBackoff, ValidationBackoffCap) : (TransientBackoff, TransientBackoffCap);
        var delay = start * Math.Pow(2, Math.Min(failures - 1, 20));
        delay = delay > cap ? cap : delay;
        if (failure.RetryAfter is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter > RetryAfterCap ? RetryAfterCap : retryAfter;
        }

        return delay;
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                DateTimeOffset due;
                using (var current = LoadCurrent())
                {
                    if (current is not null)
                    {
                        await CheckRenewalInfoAsync(current, cancellationToken).ConfigureAwait(false);
                    }

                    due = DueAt(current, _storage.ReadState());
                }

                var wait = due - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait > MaxSleep ? MaxSleep : wait, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await TryObtainAsync(cancellationToken, first: false).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Loop boundary: a bug or an unreadable state file must not end renewals (nor the process); the
                // served certificate is untouched.
                AcmeLog.LoopFailed(_logger, _names, ex);
                await Task.Delay(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// ACME Renewal Information (RFC 9773): when the CA's directory offers <c>renewalInfo</c> and a check is due (after
    /// each issuance, then at the CA's Retry-After, 6 hours without one, within 1 minute to 1 day), asks for the
    /// suggested window and, when it is new or moved, schedules the next renewal at a random time in it (at once when
    /// that time has passed). A CA without ARI is asked once per process: the two-thirds schedule stays.
    /// </summary>
    private async Task CheckRenewalInfoAsync(X509Certificate2 current, CancellationToken cancellationToken)
    {
        var state = _storage.ReadState();
        if (_renewalInfoUnsupported || state is null || !SameNames(state.Names, _settings.Names) || state.SerialNumber != current.SerialNumber
            || state.FailedAttempts > 0 || state.RenewalInfoCheckAt > DateTimeOffset.UtcNow)
        {
            // Not this certificate's state, a back-off in progress (its schedule rules), or not due.
            return;
        }

        if (AcmeRenewalInfoPolicy.CertificateId(current) is not { } certificateId)
        {
            _renewalInfoUnsupported = true;
            return;
        }

        try
        {
            using var accountKey = LoadOrCreateAccountKey();
            using var client = new AcmeClient(new Uri(_settings.DirectoryUrl), accountKey, _caRoots, _settings.SettingNames);
            if (await client.GetRenewalInfoAsync(certificateId, cancellationToken).ConfigureAwait(false) is not { } answer)
            {
                _renewalInfoUnsupported = true;
                return;
            }

            var (info, retryAfter) = answer;

            var now = DateTimeOffset.UtcNow;
            var next = state.NextAttempt;
            if (info.SuggestedWindow != state.RenewalWindow
                && AcmeRenewalInfoPolicy.ChooseRenewalTime(info.SuggestedWindow, now, Random.Shared.NextDouble()) is { } chosen)
            {
                next = chosen;
                AcmeLog.RenewalWindow(_logger, _names, info.SuggestedWindow.Start, info.SuggestedWindow.End, info.ExplanationUrl ?? "none", chosen);
            }

            _storage.WriteState(state with { RenewalWindow = info.SuggestedWindow, NextAttempt = next, RenewalInfoCheckAt = now + AcmeRenewalInfoPolicy.NextCheck(retryAfter) });
        }
        catch (AcmeException ex)
        {
            AcmeLog.RenewalInfoFailed(_logger, _names, ex.Message);
            _storage.WriteState(state with { RenewalInfoCheckAt = DateTimeOffset.UtcNow + TimeSpan.FromHours(1) });
        }
    }

    /// <summary>
    /// One attempt: order, validate, finalize, check and install. Failures are logged, scheduled and reported to
    /// <see cref="AttemptFailed"/>, never thrown: the result says whether the attempt failed and whether that ends the
    /// first wait (<paramref name="first"/>: <see cref="EnsureCertificateAsync"/> with an attempt limit).
    /// </summary>
    private async Task<(AcmeException Error, bool GivesUp)?> TryObtainAsync(CancellationToken cancellationToken, bool first)
    {
        // A state for other names still describes the certificate being served (kept for roost cert status), but its failure count starts over.
        var stored = _storage.ReadState();
        var state = stored is null ? new AcmeCertificateState { Names = _settings.Names } : SameNames(stored.Names, _settings.Names) ? stored : stored with { FailedAttempts = 0 };
        try
        {
            var issued = await IssueAsync(cancellationToken).ConfigureAwait(false);
            Install(issued);
            var next = RenewAt(issued.NotBefore, issued.NotAfter);
            _storage.WriteState(new AcmeCertificateState
            {
                Names = _settings.Names,
                Issuer = issued.Issuer,
                SerialNumber = issued.SerialNumber,
                NotBefore = issued.NotBefore,
                NotAfter = issued.NotAfter,
                IssuedAt = DateTimeOffset.UtcNow,
                NextAttempt = next,
            });
            AcmeLog.CertificateInstalled(_logger, _names, issued.Issuer, issued.SerialNumber, issued.NotAfter, _storage.CertPath, next);
            return null;
        }
        catch (AcmeException ex)
        {
            var failures = state.FailedAttempts + 1;
            var next = DateTimeOffset.UtcNow + Backoff(ex, failures);
            _storage.WriteState(state with { Names = _settings.Names, LastError = ex.Message, LastErrorAt = DateTimeOffset.UtcNow, NextAttempt = next, FailedAttempts = failures });
            using var current = LoadCurrent();
            var placeholder = current is null && state.PlaceholderSerial is not null && File.Exists(_storage.CertPath);
            var serving = current is not null
                ? $"still serving serial {current.SerialNumber} (valid until {current.NotAfter.ToUniversalTime():u})"
                : placeholder
                    ? ErrorMessages.AcmeServingPlaceholder(_settings.SettingNames)
                    : ErrorMessages.AcmeServingNothing(_settings.SettingNames);
            AcmeLog.AttemptFailed(_logger, _names, ex.Message, next, failures, serving);

            // Waiting for the first certificate with a limit (the façade's ListenAsync): a refused validation will not
            // pass by waiting minutes (a DNS or port problem to fix), and a CA still unreachable after a few quick
            // retries is reported rather than waited for in silence.
            var givesUp = first && _firstAttemptLimit != int.MaxValue && (ex.IsValidationFailure || ++_firstFailures >= _firstAttemptLimit);
            AttemptFailed?.Invoke(new AcmeAttemptFailedEventArgs(_settings.Names, ex.Message, failures, givesUp ? null : next, current is not null || placeholder, ex.IsValidationFailure));
            return (ex, givesUp);
        }
    }

    private async Task<AcmeIssuedCertificate> IssueAsync(CancellationToken cancellationToken)
    {
        using var accountKey = LoadOrCreateAccountKey();
        using var client = new AcmeClient(new Uri(_settings.DirectoryUrl), accountKey, _caRoots, _settings.SettingNames);
        var issuer = new AcmeIssuer(client, accountKey, _http01, _logger);
        var account = _storage.ReadAccount();
        if (account is not null && account.Directory == _settings.DirectoryUrl)
        {
            client.AccountUrl = account.Url;
            try
            {
                return await IssueWithChallengesAsync(issuer, cancellationToken).ConfigureAwait(false);
            }
            catch (AcmeException ex) when (ex.Problem?.Type == AcmeProblemTypes.AccountDoesNotExist)
            {
                // The CA forgot the account (a test CA restarted, or it was deactivated): register the key again below.
            }
        }

        var url = await client.CreateAccountAsync(_settings.Email, _settings.AgreeToTermsOfService, cancellationToken).ConfigureAwait(false);
        _storage.WriteAccount(new AcmeAccountRecord(_settings.DirectoryUrl, url, _settings.Email, DateTimeOffset.UtcNow));
        AcmeLog.AccountCreated(_logger, url, _settings.DirectoryUrl, _storage.AccountKeyPath);
        return await IssueWithChallengesAsync(issuer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Orders with each usable challenge type in turn (<see cref="AcmeSettings.ChallengeTypes"/>): a new order with the
    /// next type at once when the CA refused a name with the previous one, as Caddy does. The failure of the last
    /// type is thrown with the messages of all.
    /// </summary>
    private async Task<AcmeIssuedCertificate> IssueWithChallengesAsync(AcmeIssuer issuer, CancellationToken cancellationToken)
    {
        var types = UsableChallengeTypes();
        var failures = new List<AcmeException>();
        for (var i = 0; ; i++)
        {
            try
            {
                return await issuer.IssueAsync(_settings.Names, _settings.KeyType, types[i], cancellationToken).ConfigureAwait(false);
            }
            catch (AcmeException ex) when (ex.IsValidationFailure && i + 1 < types.Count)
            {
                failures.Add(ex);
                AcmeLog.ChallengeFallback(_logger, _names, ex.Message, types[i + 1]);
            }
            catch (AcmeException ex) when (failures.Count > 0)
            {
                failures.Add(ex);
                throw new AcmeException(ErrorMessages.AcmeChallengesFailed(failures.Select(f => f.Message)), ex.Problem, ex.RetryAfter, ex)
                {
                    IsValidationFailure = ex.IsValidationFailure,
                    ChallengeType = ex.ChallengeType,
                };
            }
        }
    }

    /// <summary>The configured challenge types this process can answer now: tls-alpn-01 needs the serving port (its own responder at first start, the servers later).</summary>
    private List<string> UsableChallengeTypes()
    {
        var types = _settings.ChallengeTypes.ToList();
        if (_settings.Challenge == AcmeChallengeType.Auto && types.Count > 1 && _tlsAlpnUnavailable)
        {
            types.Remove(AcmeSettings.TlsAlpn01Type);
        }

        return types;
    }

    /// <summary>At first start (nothing serves the port yet), binds the serving port for TLS-ALPN-01 when that challenge may be used.</summary>
    private void StartTlsAlpnResponder(IPAddress address)
    {
        if (!_settings.ChallengeTypes.Contains(AcmeSettings.TlsAlpn01Type) || _settings.FallbackToDevelopment)
        {
            // With the fallback the servers start at once and answer TLS-ALPN-01 themselves.
            return;
        }

        using (var current = LoadCurrent())
        {
            if (current is not null)
            {
                return;
            }
        }

        var endPoint = new IPEndPoint(address, _settings.HttpsPort);
        try
        {
            _tlsAlpn = TlsAlpnResponder.Start(endPoint, _logger);
        }
        catch (SocketException ex) when (_settings.Challenge == AcmeChallengeType.Auto && _http01 is not null)
        {
            // auto with the HTTP-01 listener on: the first certificate can still come over http-01.
            _tlsAlpnUnavailable = true;
            AcmeLog.TlsAlpnUnavailable(_logger, ListenErrors.Translate(ex, endPoint, EndPointText.Describe(endPoint), string.Empty).Message);
            return;
        }
        catch (SocketException ex)
        {
            throw new AcmeSetupException(ListenErrors.Translate(ex, endPoint, EndPointText.Describe(endPoint), ErrorMessages.AcmeTlsAlpnPortHint(_settings.SettingNames)).Message, ex);
        }

        AcmeLog.TlsAlpnListening(_logger, EndPointText.Describe(_tlsAlpn.LocalEndPoint));
    }

    private async Task StopTlsAlpnResponderAsync()
    {
        if (Interlocked.Exchange(ref _tlsAlpn, null) is { } responder)
        {
            await responder.DisposeAsync().ConfigureAwait(false);
        }

        _tlsAlpnUnavailable = false;
    }

    /// <summary>Checks the issued chain with the same check a certificate file gets, then writes the files the servers watch.</summary>
    private void Install(AcmeIssuedCertificate issued)
    {
        var source = new CertificateSource { Cert = TlsInput.FromText(issued.ChainPem), Key = TlsInput.FromText(issued.KeyPem) };
        var check = CertificateCheck.Run(source);
        check.Bundle?.Dispose();
        if (check.HasErrors)
        {
            throw new AcmeException(ErrorMessages.AcmeIssuedRejected(_names, check.Errors.Select(e => e.Message)));
        }

        _storage.WriteCertificate(issued.ChainPem, issued.KeyPem);
    }

    private AcmeAccountKey LoadOrCreateAccountKey()
    {
        if (_storage.ReadText(_storage.AccountKeyPath) is { } pem)
        {
            try
            {
                return AcmeAccountKey.FromPem(pem);
            }
            catch (CryptographicException ex)
            {
                throw new AcmeException(ErrorMessages.AcmeStateUnreadable(_storage.AccountKeyPath, ex.Message, _settings.SettingNames), innerException: ex);
            }
        }

        var key = AcmeAccountKey.Create();
        _storage.WriteAccountKey(key.ExportPem());
        return key;
    }

    /// <summary>The stored certificate when it can be served (parses, key present, not expired); else <see langword="null"/>.</summary>
    private X509Certificate2? LoadCurrent()
    {
        try
        {
            if (!File.Exists(_storage.CertPath) || !File.Exists(_storage.KeyPath))
            {
                return null;
            }

            var leaf = X509Certificate2.CreateFromPem(File.ReadAllText(_storage.CertPath));
            if (leaf.NotAfter.ToUniversalTime() <= DateTime.UtcNow || leaf.SerialNumber == _storage.ReadState()?.PlaceholderSerial)
            {
                leaf.Dispose();
                return null;
            }

            return leaf;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            // A damaged file counts as none: a new one is ordered.
            return null;
        }
    }

    private static bool SameNames(IEnumerable<string> a, IEnumerable<string> b) =>
        new HashSet<string>(a, StringComparer.OrdinalIgnoreCase).SetEquals(b);

    private static X509Certificate2Collection LoadCaRoots(string? path, AcmeSettingNames names)
    {
        var roots = new X509Certificate2Collection();
        if (path is null)
        {
            return roots;
        }

        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new AcmeSetupException(ErrorMessages.AcmeCaCertificateInvalid(path, ex.Message, names), ex);
        }

        if (roots.Count == 0)
        {
            throw new AcmeSetupException(ErrorMessages.AcmeCaCertificateInvalid(path, "it holds no PEM certificate", names));
        }

        return roots;
    }
}
