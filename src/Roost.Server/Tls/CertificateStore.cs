using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Roost.Tls;

/// <summary>One certificate as served: the bundle, the TLS context built from it, and the names it covers.</summary>
internal sealed class ServedCertificate(CertificateBundle bundle, SslStreamCertificateContext context) : IDisposable
{
    private volatile bool _sharesSessions;
    private List<Resumption.SslContextPin>? _pins;

    public CertificateBundle Bundle { get; } = bundle;

    public SslStreamCertificateContext Context { get; } = context;

    public IReadOnlyList<string> Names { get; } = HostNames.Of(bundle.Leaf);

    /// <summary>
    /// Gets a value indicating whether this certificate's OpenSSL contexts carry the instance's session settings
    /// (<see cref="Resumption.SessionResumption"/>): its TLS 1.2 clients then get the kept context too.
    /// </summary>
    public bool SharesSessions => _sharesSessions;

    /// <summary>Gets the set-up of the session settings (completed once <see cref="SharesSessions"/> is known).</summary>
    public Task Prepared { get; set; } = Task.CompletedTask;

    /// <summary>Keeps the pinned contexts (or none, when they could not be set up).</summary>
    public void MarkResumption(List<Resumption.SslContextPin>? pins)
    {
        _pins = pins;
        _sharesSessions = pins is not null;
    }

    public void Dispose()
    {
        _sharesSessions = false;
        foreach (var pin in Interlocked.Exchange(ref _pins, null) ?? [])
        {
            pin.Dispose();
        }

        Bundle.Dispose();
    }
}

/// <summary>
/// One configured certificate (the default, or one chosen by host name) whose served value can be swapped atomically:
/// handshakes read <see cref="Current"/> (a volatile reference); a reload builds the next value off the handshake path.
/// </summary>
internal sealed class CertificateEntry(string name, CertificateSource source, ServedCertificate initial)
{
    private volatile ServedCertificate _current = initial;

    public string Name { get; } = name;

    public CertificateSource Source { get; } = source;

    public ServedCertificate Current => _current;

    /// <summary>Swaps in <paramref name="next"/> and returns what was served before.</summary>
    public ServedCertificate Swap(ServedCertificate next) => Interlocked.Exchange(ref _current, next);
}

/// <summary>
/// The certificates of one TLS server: the default one and those chosen by host name (SNI), each checked before it is
/// served and reloadable without a restart. Safe for concurrent handshakes and reloads.
/// </summary>
/// <remarks>
/// A reload re-reads every file, runs <see cref="CertificateCheck"/> and swaps only certificates that passed and
/// changed. Files that are still being written (empty, or a certificate whose key is not there yet) are re-read every
/// 200 ms for up to the settle time before the problem is reported. Replaced certificates are disposed a while later,
/// so that handshakes already holding them finish.
/// </remarks>
internal sealed class CertificateStore : IAsyncDisposable
{
    public const string DefaultName = "default";

    /// <summary>How often files still being written are read again.</summary>
    private static readonly TimeSpan SettleRetryInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a replaced certificate is kept before it is disposed: far longer than any handshake.</summary>
    private static readonly TimeSpan RetireDelay = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, CertificateEntry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CertificateEntry> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<CertificateEntry> _all = [];
    private readonly UnknownServerNameAction _unknown;
    private readonly CertificateCheckOptions? _checkOptions;
    private readonly bool _ocspStapling;
    private readonly TimeSpan _settleTime;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _retiredGate = new();
    private readonly List<ServedCertificate> _retired = [];

    private readonly Func<ServedCertificate, Task>? _prepare;

    private CertificateStore(SecureServerOptions options, CertificateCheckOptions? checkOptions, ILogger logger, Func<ServedCertificate, Task>? prepare)
    {
        _prepare = prepare;
        _unknown = options.UnknownServerName;
        _checkOptions = checkOptions;
        _ocspStapling = options.OcspStapling;
        _settleTime = options.CertificateReloadSettleTime;
        _logger = logger;
        Default = null!;
    }

    public CertificateEntry Default { get; private set; }

    public IReadOnlyList<CertificateEntry> Entries => _all;

    /// <summary>Raised after each reload outcome that is not <see cref="CertificateReloadStatus.Unchanged"/>.</summary>
    public event Action<CertificateReloadOutcome>? Reloaded;

    /// <summary>Loads and checks every certificate; throws one <see cref="CertificateLoadException"/> listing every error.</summary>
    /// <param name="options">The server's options.</param>
    /// <param name="logger">The server's logger.</param>
    /// <param name="prepare">Run for each certificate before it is served (started at creation, awaited in reloads before the swap).</param>
    /// <param name="managed">The default certificate's files when an ACME manager keeps them (instead of <see cref="SecureServerOptions.Tls"/>): checked as renewed automatically.</param>
    public static CertificateStore Create(SecureServerOptions options, ILogger logger, Func<ServedCertificate, Task>? prepare = null, CertificateSource? managed = null)
    {
        var checkOptions = options.CertificateCheck;
        if (managed is not null)
        {
            checkOptions = checkOptions?.Clone() ?? new CertificateCheckOptions();
            checkOptions.RenewedAutomatically = true;
        }

        var store = new CertificateStore(options, checkOptions, logger, prepare);
        List<CertificateFinding> errors = [];
        var sources = new List<(string Name, CertificateSource Source)> { (DefaultName, managed ?? options.Tls) };
        sources.AddRange(options.SniCertificates.Select(kv => (kv.Key, kv.Value)));
        foreach (var (name, source) in sources)
        {
            var check = CertificateCheck.Run(source, checkOptions);

            // Errors are not logged here: they become the exception, which the caller reports.
            var allowErrors = checkOptions?.UnsafeAllowErrors == true && check.Bundle is not null;
            HttpServer.LogFindings(logger, check.Findings.Where(f => allowErrors || f.Severity != CertificateFindingSeverity.Error));
            if (check.HasErrors && !allowErrors)
            {
                errors.AddRange(check.Errors);
                check.Bundle?.Dispose();
                continue;
            }

            var bundle = check.Bundle!;
            var entry = new CertificateEntry(name, source, new ServedCertificate(bundle, store.CreateContext(bundle)));
            Log.CertificateLoaded(logger, bundle.Leaf.Subject, bundle.Leaf.Thumbprint, bundle.Leaf.NotAfter.ToUniversalTime(), bundle.Intermediates.Count, bundle.Description);
            store.Add(entry);
        }

        if (errors.Count > 0)
        {
            foreach (var entry in store._all)
            {
                entry.Current.Dispose();
            }

            throw new CertificateLoadException(errors);
        }

        if (prepare is not null)
        {
            foreach (var entry in store._all)
            {
                var served = entry.Current;
                served.Prepared = Task.Run(() => prepare(served));
            }
        }

        return store;
    }

    /// <summary>
    /// Loads and checks every certificate of <paramref name="options"/> (and the client CAs) as a server built from them
    /// would, then disposes them: the same <see cref="CertificateLoadException"/> for the same input, but no TLS
    /// context, file watcher or server object (and so no Kestrel) is created. For a process that only checks the
    /// configuration, such as the primary of <c>roost serve --workers</c>, whose workers load the files again.
    /// </summary>
    public static void Check(SecureServerOptions options)
    {
        _ = ClientCertificateValidator.Create(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        List<CertificateFinding> errors = [];
        var sources = new List<CertificateSource> { options.Tls };
        sources.AddRange(options.SniCertificates.Values);
        foreach (var source in sources)
        {
            var check = CertificateCheck.Run(source, options.CertificateCheck);
            var allowErrors = options.CertificateCheck?.UnsafeAllowErrors == true && check.Bundle is not null;
            if (check.HasErrors && !allowErrors)
            {
                errors.AddRange(check.Errors);
            }

            check.Bundle?.Dispose();
        }

        if (errors.Count > 0)
        {
            throw new CertificateLoadException(errors);
        }
    }

    /// <summary>The certificate for a client that asked for <paramref name="serverName"/>, or <see langword="null"/> to refuse.</summary>
    public ServedCertificate? Select(string? serverName)
    {
        var fallback = Default.Current;
        if (string.IsNullOrEmpty(serverName))
        {
            return fallback;
        }

        if (_exact.Count > 0 || _wildcard.Count > 0)
        {
            if (_exact.TryGetValue(serverName, out var exact))
            {
                return exact.Current;
            }

            var dot = serverName.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && _wildcard.TryGetValue(serverName[(dot + 1)..], out var wildcard))
            {
                return wildcard.Current;
            }
        }

        return _unknown == UnknownServerNameAction.Refuse && HostNames.FindMatch(fallback.Names, serverName) is null ? null : fallback;
    }

    /// <summary>Every file the certificates were read from, as given.</summary>
    public IEnumerable<string> FilePaths => _all.SelectMany(e => Inputs(e.Source)).Select(i => i.Path).OfType<string>().Distinct();

    /// <summary>Reloads every certificate (one reload at a time).</summary>
    public async Task<CertificateReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        await _reloadLock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            List<CertificateReloadOutcome> outcomes = [];
            foreach (var entry in _all)
            {
                var outcome = await ReloadAsync(entry, linked.Token).ConfigureAwait(false);
                outcomes.Add(outcome);
                if (outcome.Status != CertificateReloadStatus.Unchanged)
                {
                    Reloaded?.Invoke(outcome);
                }
            }

            return new CertificateReloadResult(outcomes);
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (var entry in _all)
        {
            entry.Current.Dispose();
        }

        lock (_retiredGate)
        {
            foreach (var retired in _retired)
            {
                retired.Dispose();
            }

            _retired.Clear();
        }
    }

    private async Task<CertificateReloadOutcome> ReloadAsync(CertificateEntry entry, CancellationToken cancellationToken)
    {
        var oldSerial = entry.Current.Bundle.Leaf.SerialNumber;
        var deadline = DateTime.UtcNow + _settleTime;
        while (true)
        {
            // Reading, parsing and checking happen here, on the thread pool, never in a handshake.
            var check = await Task.Run(() => CertificateCheck.Run(entry.Source, _checkOptions), cancellationToken).ConfigureAwait(false);
            if (check.HasErrors)
            {
                check.Bundle?.Dispose();
                var stillBeingWritten = check.Errors.All(e => e.Code == CertificateFindingCodes.LoadFailed);
                if (stillBeingWritten && DateTime.UtcNow < deadline)
                {
                    Log.CertificateReloadWaiting(_logger, entry.Name, check.Errors.First().Message);
                    await Task.Delay(SettleRetryInterval, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var error in check.Errors)
                {
                    Log.CertificateReloadRejected(_logger, entry.Name, oldSerial, error.Message);
                }

                return new CertificateReloadOutcome(entry.Name, CertificateReloadStatus.Rejected, oldSerial, oldSerial, [.. check.Errors]);
            }

            var bundle = check.Bundle!;
            if (SameCertificates(bundle, entry.Current.Bundle))
            {
                bundle.Dispose();
                Log.CertificateReloadUnchanged(_logger, entry.Name, oldSerial);
                return new CertificateReloadOutcome(entry.Name, CertificateReloadStatus.Unchanged, oldSerial, oldSerial, []);
            }

            var next = new ServedCertificate(bundle, CreateContext(bundle));
            if (_prepare is not null)
            {
                // Before the swap: the new certificate's first TLS 1.2 clients already get its kept OpenSSL context.
                next.Prepared = _prepare(next);
                await next.Prepared.ConfigureAwait(false);
            }

            var previous = entry.Swap(next);
            Retire(previous);
            HttpServer.LogFindings(_logger, check.Warnings);
            Log.CertificateReloaded(_logger, entry.Name, oldSerial, bundle.Leaf.SerialNumber, bundle.Leaf.Subject, bundle.Leaf.NotAfter.ToUniversalTime(), bundle.Description);
            return new CertificateReloadOutcome(entry.Name, CertificateReloadStatus.Reloaded, oldSerial, bundle.Leaf.SerialNumber, [.. check.Warnings]);
        }
    }

    private SslStreamCertificateContext CreateContext(CertificateBundle bundle)
    {
        // OCSP stapling needs network access (offline: false); without an OCSP URL in the leaf there is nothing to fetch.
        var offline = !_ocspStapling || !OcspStapling.HasOcspUrl(bundle.Leaf);
        return OcspStapling.CreateContext(bundle, offline);
    }

    private void Retire(ServedCertificate previous)
    {
        lock (_retiredGate)
        {
            _retired.Add(previous);
        }

        _ = RetireLaterAsync(previous);
    }

    private async Task RetireLaterAsync(ServedCertificate previous)
    {
        try
        {
            await Task.Delay(RetireDelay, _disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The store was disposed; DisposeAsync disposes what is still retired.
            return;
        }

        lock (_retiredGate)
        {
            if (_retired.Remove(previous))
            {
                previous.Dispose();
            }
        }
    }

    private void Add(CertificateEntry entry)
    {
        _all.Add(entry);
        if (entry.Name == DefaultName)
        {
            Default = entry;
        }
        else if (entry.Name.StartsWith("*.", StringComparison.Ordinal))
        {
            _wildcard[entry.Name[2..]] = entry;
        }
        else
        {
            _exact[entry.Name] = entry;
        }
    }

    private static bool SameCertificates(CertificateBundle a, CertificateBundle b) =>
        a.Leaf.Thumbprint == b.Leaf.Thumbprint
        && a.Intermediates.Select(c => c.Thumbprint).SequenceEqual(b.Intermediates.Select(c => c.Thumbprint));

    internal static IEnumerable<TlsInput> Inputs(CertificateSource source)
    {
        TlsInput?[] single = [source.Cert, source.Key, source.Pfx];
        return single.OfType<TlsInput>().Concat(source.Ca);
    }
}

/// <summary>OCSP stapling: whether a certificate names a responder, and the context that fetches and staples responses.</summary>
internal static class OcspStapling
{
    /// <summary>id-ad-ocsp (RFC 5280 §4.2.2.1): the access method of an OCSP responder in authorityInfoAccess.</summary>
    public const string OcspAccessMethodOid = "1.3.6.1.5.5.7.48.1";

    public static bool HasOcspUrl(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509AuthorityInformationAccessExtension>()
            .Any(aia => aia.EnumerateOcspUris().Any(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The context served in handshakes: leaf + intermediates. With <paramref name="offline"/> false, .NET fetches the
    /// OCSP response in the background and staples it; the root is passed along so the chain reaches it (it is trimmed
    /// from what is sent).
    /// </summary>
    public static SslStreamCertificateContext CreateContext(CertificateBundle bundle, bool offline)
    {
        if (offline || bundle.Root is null)
        {
            return bundle.CreateContext(offline);
        }

        var chain = new X509Certificate2Collection();
        chain.AddRange(bundle.Intermediates.ToArray());
        chain.Add(bundle.Root);
        return SslStreamCertificateContext.Create(bundle.Leaf, chain, offline: false);
    }
}
