namespace Roost.Tls;

/// <summary>Settings of <see cref="CertificateCheck"/>.</summary>
public sealed class CertificateCheckOptions
{
    /// <summary>
    /// Certificates expiring within this window get a warning. 14 days: the last window in which ACME clients such as
    /// certbot (which renew 30 days ahead) have clearly failed, and what the design's logging rules name.
    /// </summary>
    public static readonly TimeSpan DefaultExpiryWarning = TimeSpan.FromDays(14);

    private TimeSpan _expiryWarning = DefaultExpiryWarning;

    /// <summary>Gets or sets a host name the certificate must cover (the CLI's <c>--host</c>), or <see langword="null"/>.</summary>
    public string? Host { get; set; }

    /// <summary>Gets or sets how long before expiry a warning is given.</summary>
    /// <remarks>
    /// Defaults to <see cref="DefaultExpiryWarning"/> (14 days). A negative value throws at once: these settings also serve
    /// <see cref="CertificateCheck.Run(CertificateSource, CertificateCheckOptions?)"/> on its own, which has no later check.
    /// </remarks>
    public TimeSpan ExpiryWarning
    {
        get => _expiryWarning;
        set => _expiryWarning = value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, ErrorMessages.ExpiryWarningNegative(value));
    }

    /// <summary>Gets or sets the clock; tests pass a fake one.</summary>
    /// <remarks>Defaults to <see cref="TimeProvider.System"/>.</remarks>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets a value indicating whether this machine's trusted roots are consulted to tell a chain that ends
    /// at a public root (complete) from one that misses an intermediate.
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool UseSystemTrustStore { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a server starts (and a reload is accepted) even when the check finds
    /// errors in material that did load — a missing intermediate, an expired certificate, a name mismatch. The errors
    /// are then logged instead of refusing. Unusable material (missing file, key that does not match) still refuses.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>. For tests and deliberate setups only.</remarks>
    public bool UnsafeAllowErrors { get; set; }

    /// <summary>
    /// Gets a value indicating whether Roost itself renews the certificate (ACME, <c>roost serve --domain</c>): an
    /// expiry within <see cref="ExpiryWarning"/> is then reported as information naming the automatic renewal, not as
    /// a warning to run certbot (the ACME manager logs its own errors when renewals fail).
    /// </summary>
    internal bool RenewedAutomatically { get; set; }

    /// <summary>A copy (the caller's settings are never changed by the server).</summary>
    internal CertificateCheckOptions Clone() => (CertificateCheckOptions)MemberwiseClone();
}
