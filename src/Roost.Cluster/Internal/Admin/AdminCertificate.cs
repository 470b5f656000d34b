using System.Net.Security;
using Microsoft.Extensions.Logging;
using Roost.Tls;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The admin listener's certificate (<see cref="ClusterAdminOptions.Tls"/>): loaded once at start (a problem stops the
/// start, naming the file and option), then checked for changed files at most once a second, at a handshake, and
/// loaded again — so a renewed certificate is served without a restart, as Prometheus' exporters and Caddy do. A
/// renewal that does not load keeps the previous certificate in service and is logged once per change of the files.
/// The loaded certificates are not disposed: the context refers to them, and a handshake may still be using the
/// previous one when a renewal replaces it (the finalizer frees them).
/// </summary>
internal sealed partial class AdminCertificate
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly CertificateSource _source;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private SslStreamCertificateContext _current;
    private string _fingerprint;
    private long _nextCheck;

    private AdminCertificate(CertificateSource source, ILogger logger, TimeProvider time, SslStreamCertificateContext current, string fingerprint)
    {
        _source = source;
        _logger = logger;
        _time = time;
        _current = current;
        _fingerprint = fingerprint;
        _nextCheck = time.GetTimestamp() + (long)(CheckInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Gets the subject of the certificate in service (for the start-up log line).</summary>
    public string Subject => Volatile.Read(ref _current).TargetCertificate.Subject;

    /// <summary>Loads the certificate.</summary>
    /// <exception cref="CertificateLoadException">The material is missing, unreadable or does not pair (the message names the file and option).</exception>
    public static AdminCertificate Load(CertificateSource source, ILogger logger, TimeProvider? time = null)
    {
        var fingerprint = CertificateFiles.Fingerprint(source);
        var bundle = CertificateLoader.Load(source);
        return new AdminCertificate(source, logger, time ?? TimeProvider.System, bundle.CreateContext(), fingerprint);
    }

    /// <summary>Returns the certificate to serve now, loading it again first when its files changed.</summary>
    public SslStreamCertificateContext Current()
    {
        var now = _time.GetTimestamp();
        if (now < Volatile.Read(ref _nextCheck))
        {
            return Volatile.Read(ref _current);
        }

        lock (_gate)
        {
            if (now < _nextCheck)
            {
                return _current;
            }

            _nextCheck = now + (long)(CheckInterval.TotalSeconds * _time.TimestampFrequency);
            var fingerprint = CertificateFiles.Fingerprint(_source);
            if (fingerprint == _fingerprint)
            {
                return _current;
            }

            // Remembered even when the load fails: the warning is logged once per change, not at every handshake.
            _fingerprint = fingerprint;
            try
            {
                var bundle = CertificateLoader.Load(_source);
                Volatile.Write(ref _current, bundle.CreateContext());
                Log.Reloaded(_logger, _current.TargetCertificate.Subject, _current.TargetCertificate.NotAfter.ToUniversalTime());
            }
            catch (CertificateLoadException ex)
            {
                Log.ReloadFailed(_logger, ex.Message);
            }

            return _current;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.AdminCertificateReloaded, LogLevel.Information, "Admin listener: its certificate files changed; now serving '{Subject}' (expires {NotAfter:u})", EventName = "AdminCertificateReloaded")]
        public static partial void Reloaded(ILogger logger, string subject, DateTime notAfter);

        [LoggerMessage(ClusterEventIds.AdminCertificateReloadFailed, LogLevel.Warning, "Admin listener: its certificate files changed but do not load, so the previous certificate stays in service: {Reason} Fix the files; they are read again at the next change.", EventName = "AdminCertificateReloadFailed")]
        public static partial void ReloadFailed(ILogger logger, string reason);
    }
}
