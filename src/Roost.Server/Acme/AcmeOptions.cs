namespace Roost.Acme;

/// <summary>
/// Automatic certificates for a server of the façade (<see cref="SecureServerOptions.Acme"/>): the server obtains the
/// certificate for <see cref="Domains"/> from an ACME CA (Let's Encrypt by default) when it starts listening, renews it
/// and swaps the renewed one in without a restart — what <c>roost serve --domain</c> does (docs/acme.md).
/// </summary>
/// <example>
/// <code>
/// var options = new SecureServerOptions
/// {
///     Acme = new AcmeOptions { Domains = { "example.com", "www.example.com" }, Email = "ops@example.com", AgreeToTermsOfService = true },
/// };
/// await Https.CreateServer(options, (req, res) => res.End("hello")).ListenAsync(443);
/// </code>
/// </example>
public sealed class AcmeOptions
{
    /// <summary>Let's Encrypt's production directory (the default).</summary>
    public const string LetsEncrypt = AcmeSettings.LetsEncrypt;

    /// <summary>Let's Encrypt's staging directory: untrusted certificates and generous rate limits, for trying things out.</summary>
    public const string LetsEncryptStaging = AcmeSettings.LetsEncryptStaging;

    /// <summary>
    /// Gets the names of the certificate (DNS names, no wildcards, no IP addresses): the first is its subject and names
    /// its storage folder. At least one is required.
    /// </summary>
    public IList<string> Domains { get; } = [];

    /// <summary>Gets or sets the ACME account's contact e-mail (the CA writes about expiring certificates and policy changes).</summary>
    /// <remarks>Defaults to <see langword="null"/>: no contact.</remarks>
    public string? Email { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the operator agrees to the CA's terms of service (Let's Encrypt:
    /// https://letsencrypt.org/repository/). Required: Roost does not agree on anyone's behalf.
    /// </summary>
    public bool AgreeToTermsOfService { get; set; }

    /// <summary>Gets or sets the CA's ACME directory: an <c>https://</c> URL, or the preset names <c>letsencrypt</c> and <c>letsencrypt-staging</c>.</summary>
    /// <remarks>Defaults to <see cref="LetsEncrypt"/>.</remarks>
    public string DirectoryUrl { get; set; } = LetsEncrypt;

    /// <summary>Gets or sets which challenge proves control of the names.</summary>
    /// <remarks>
    /// Defaults to <see cref="AcmeChallengeType.Auto"/>: HTTP-01 on <see cref="HttpPort"/>, then at once TLS-ALPN-01 on the
    /// server's own port when the CA cannot validate over HTTP-01 (TLS-ALPN-01 alone when <see cref="HttpPort"/> is 0).
    /// </remarks>
    public AcmeChallengeType Challenge { get; set; } = AcmeChallengeType.Auto;

    /// <summary>
    /// Gets or sets the port of the HTTP listener that answers HTTP-01 challenges and redirects every other request to
    /// HTTPS (on the server's address); 0 turns it off. The CA always connects to port 80: use another port only behind a forward.
    /// </summary>
    /// <remarks>Defaults to 80 (binding it needs root or <c>CAP_NET_BIND_SERVICE</c>).</remarks>
    public int HttpPort { get; set; } = 80;

    /// <summary>Gets or sets the folder of the ACME account, certificates and keys (0700 folders, 0600 keys), reused across restarts.</summary>
    /// <remarks>Defaults to <see langword="null"/>: <c>~/.local/share/roost/acme</c>, or <c>/var/lib/roost/acme</c> as root — the same folder <c>roost serve --domain</c> uses.</remarks>
    public string? StateDirectory { get; set; }

    /// <summary>Gets or sets the key type of the certificates ordered.</summary>
    /// <remarks>Defaults to <see cref="AcmeKeyType.EcP256"/>.</remarks>
    public AcmeKeyType KeyType { get; set; } = AcmeKeyType.EcP256;

    /// <summary>
    /// Gets or sets a PEM file with the CA certificates the ACME server's own HTTPS certificate chains to, instead of
    /// the system's trust store (a private or test CA).
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the system's trust store.</remarks>
    public string? CaCertificateFile { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the server starts at once on the development chain when no certificate
    /// has been issued yet, and swaps the issued one in when it arrives. Off, listening waits for the first certificate.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>: an untrusted certificate is worse than a closed port for real visitors.</remarks>
    public bool FallbackToDevelopment { get; set; }

    /// <summary>Adds every problem with these settings, and with certificate settings they cannot be combined with, to <paramref name="problems"/>.</summary>
    internal void AddProblems(List<string> problems, SecureServerOptions owner)
    {
        if (owner.Cert is not null || owner.Key is not null || owner.Pfx is not null || owner.Ca.Count > 0)
        {
            problems.Add(ErrorMessages.AcmeWithCertificate());
        }

        if (Domains.Count == 0)
        {
            problems.Add(ErrorMessages.AcmeNoDomains());
        }

        foreach (var name in Domains.Where(n => n is null || !AcmeSettings.IsValidName(n)))
        {
            problems.Add(ErrorMessages.AcmeDomainInvalid(name));
        }

        if (!AgreeToTermsOfService && Domains.Count > 0)
        {
            problems.Add(ErrorMessages.AcmeTermsNotAgreed(string.Join(", ", Domains), DirectoryUrl));
        }

        if (DirectoryUrl is null || !AcmeSettings.IsValidDirectory(DirectoryUrl))
        {
            problems.Add(ErrorMessages.AcmeDirectoryInvalid(DirectoryUrl));
        }

        if (HttpPort is < 0 or > 65535)
        {
            problems.Add(ErrorMessages.AcmeHttpPortOutOfRange(HttpPort));
        }

        if (Challenge == AcmeChallengeType.Http01 && HttpPort == 0)
        {
            problems.Add(ErrorMessages.AcmeHttp01WithoutListener());
        }

        if (Email is { } email && (!email.Contains('@', StringComparison.Ordinal) || email.Contains(' ', StringComparison.Ordinal)))
        {
            problems.Add(ErrorMessages.AcmeEmailInvalid(email));
        }
    }

    /// <summary>The manager's settings for a server listening on <paramref name="httpsPort"/> (checked by <see cref="AddProblems"/> first).</summary>
    internal AcmeSettings ToSettings(int httpsPort) =>
        new(
            [.. Domains.Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal)],
            AcmeSettings.ResolveDirectory(DirectoryUrl),
            Email,
            AgreeToTermsOfService,
            StateDirectory ?? AcmeStorage.DefaultRoot)
        {
            SettingNames = AcmeSettingNames.Facade,
            KeyType = KeyType,
            HttpPort = HttpPort,
            Challenge = Challenge,
            HttpsPort = httpsPort,
            CaCertificateFile = CaCertificateFile,
            FallbackToDevelopment = FallbackToDevelopment,
        };
}
