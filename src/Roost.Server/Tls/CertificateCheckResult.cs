namespace Roost.Tls;

/// <summary>What <see cref="CertificateCheck.Run(CertificateSource, CertificateCheckOptions?)"/> found, and the loaded bundle when loading worked.</summary>
public sealed class CertificateCheckResult
{
    internal CertificateCheckResult(IReadOnlyList<CertificateFinding> findings, CertificateBundle? bundle)
    {
        Findings = findings;
        Bundle = bundle;
    }

    /// <summary>Gets every finding, in the order checked.</summary>
    public IReadOnlyList<CertificateFinding> Findings { get; }

    /// <summary>
    /// Gets the loaded bundle (leaf with key, ordered chain), or <see langword="null"/> when the files could not be
    /// loaded. The caller owns it and disposes it (also when <see cref="HasErrors"/> is set).
    /// </summary>
    public CertificateBundle? Bundle { get; }

    /// <summary>Gets a value indicating whether any finding is an error.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == CertificateFindingSeverity.Error);

    /// <summary>Gets the errors.</summary>
    public IEnumerable<CertificateFinding> Errors => Findings.Where(f => f.Severity == CertificateFindingSeverity.Error);

    /// <summary>Gets the warnings.</summary>
    public IEnumerable<CertificateFinding> Warnings => Findings.Where(f => f.Severity == CertificateFindingSeverity.Warning);

    /// <summary>Throws <see cref="CertificateLoadException"/> listing every error when there is one; disposes the bundle first.</summary>
    /// <exception cref="CertificateLoadException">There were errors.</exception>
    public void ThrowIfErrors()
    {
        if (!HasErrors)
        {
            return;
        }

        Bundle?.Dispose();
        throw new CertificateLoadException([.. Findings.Where(f => f.Severity == CertificateFindingSeverity.Error)]);
    }
}
