using System.Security.Cryptography.X509Certificates;
using Roost.Tls;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The certificates the dashboard shows (<see cref="ClusterAdminOptions.Certificates"/>): loaded in the primary with
/// <see cref="CertificateLoader"/>, the workers' own loader, and loaded again when one of their files changes (size or
/// modification time) — so a renewed certificate (ACME, certbot, a file swap) appears as the workers pick it up.
/// Thread-safe: several dashboards may ask at once.
/// </summary>
internal sealed class DashboardCertificates
{
    private readonly Entry[] _entries;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public DashboardCertificates(IEnumerable<KeyValuePair<string, CertificateSource>> certificates, TimeProvider? time = null)
    {
        _entries = [.. certificates.Select(c => new Entry(c.Key, c.Value))];
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Returns one summary per configured certificate, as of now (days left counted from now).</summary>
    public IReadOnlyList<CertificateSummary> Describe()
    {
        if (_entries.Length == 0)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return [.. _entries.Select(e => e.Describe(now))];
        }
    }

    private sealed class Entry(string name, CertificateSource source)
    {
        private string? _fingerprint;
        private CertificateSummary? _loaded;

        public CertificateSummary Describe(DateTimeOffset now)
        {
            var fingerprint = CertificateFiles.Fingerprint(source);
            if (_loaded is null || fingerprint != _fingerprint)
            {
                _loaded = Load();
                _fingerprint = fingerprint;
            }

            return _loaded.NotAfter is { } notAfter ? _loaded with { DaysLeft = Math.Floor((notAfter - now).TotalDays * 10) / 10 } : _loaded;
        }

        private CertificateSummary Load()
        {
            try
            {
                using var bundle = CertificateLoader.Load(source);
                var leaf = bundle.Leaf;
                var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
                return new CertificateSummary(
                    name,
                    leaf.Subject,
                    leaf.Issuer,
                    new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                    new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
                    null,
                    leaf.SerialNumber,
                    names,
                    bundle.Description,
                    null);
            }
            catch (CertificateLoadException ex)
            {
                return new CertificateSummary(name, null, null, null, null, null, null, [], Describe(source), ex.Message);
            }
        }

        private static string Describe(CertificateSource source) =>
            source.Pfx?.ToString() ?? source.Cert?.ToString() ?? "(no certificate)";
    }
}
