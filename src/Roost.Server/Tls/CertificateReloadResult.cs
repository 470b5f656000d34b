namespace Roost.Tls;

/// <summary>What a certificate reload did with one certificate of a server.</summary>
public enum CertificateReloadStatus
{
    /// <summary>The files hold the certificate already served; nothing changed.</summary>
    Unchanged,

    /// <summary>A new certificate passed the check and is served from the next handshake on.</summary>
    Reloaded,

    /// <summary>The new files failed the check; the old certificate keeps serving. See <see cref="CertificateReloadOutcome.Findings"/>.</summary>
    Rejected,
}

/// <summary>The result of reloading one certificate (the default one, or one chosen by host name).</summary>
/// <param name="Name">Which certificate: <c>default</c>, or the SNI host name it is configured for.</param>
/// <param name="Status">What happened.</param>
/// <param name="OldSerialNumber">The serial number served before.</param>
/// <param name="NewSerialNumber">The serial number served now (the old one unless reloaded).</param>
/// <param name="Findings">The check's findings for the new files (errors when rejected, warnings otherwise).</param>
public sealed record CertificateReloadOutcome(
    string Name,
    CertificateReloadStatus Status,
    string OldSerialNumber,
    string NewSerialNumber,
    IReadOnlyList<CertificateFinding> Findings);

/// <summary>The result of <see cref="HttpServer.ReloadCertificatesAsync(CancellationToken)"/>: one outcome per configured certificate.</summary>
/// <param name="Outcomes">The outcomes, the default certificate first.</param>
public sealed record CertificateReloadResult(IReadOnlyList<CertificateReloadOutcome> Outcomes)
{
    /// <summary>Gets a value indicating whether any certificate was swapped.</summary>
    public bool AnyReloaded => Outcomes.Any(o => o.Status == CertificateReloadStatus.Reloaded);

    /// <summary>Gets a value indicating whether any new set was rejected (its old certificate keeps serving).</summary>
    public bool AnyRejected => Outcomes.Any(o => o.Status == CertificateReloadStatus.Rejected);
}

/// <summary>Data of <see cref="HttpServer.CertificateReloaded"/>.</summary>
/// <param name="outcome">The outcome.</param>
public sealed class CertificateReloadedEventArgs(CertificateReloadOutcome outcome) : EventArgs
{
    /// <summary>Gets what happened.</summary>
    public CertificateReloadOutcome Outcome { get; } = outcome;
}
