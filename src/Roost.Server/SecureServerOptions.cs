using Roost.Acme;
using Roost.Tls;

namespace Roost;

/// <summary>
/// Settings of a TLS server, with the TLS material named as Node's <c>https.createServer</c> options name it.
/// </summary>
/// <example>
/// <code>
/// var options = new SecureServerOptions
/// {
///     Cert = File.ReadAllBytes("./ssl/site.cer"),
///     Key = File.ReadAllBytes("./ssl/site.key"),
///     Ca = { File.ReadAllBytes("./ssl/chain.cer") },
/// };
/// </code>
/// </example>
public sealed class SecureServerOptions : ServerOptions
{
    /// <summary>Gets the TLS material.</summary>
    public CertificateSource Tls { get; } = new();

    /// <inheritdoc cref="CertificateSource.Cert"/>
    public TlsInput? Cert { get => Tls.Cert; set => Tls.Cert = value; }

    /// <inheritdoc cref="CertificateSource.Key"/>
    public TlsInput? Key { get => Tls.Key; set => Tls.Key = value; }

    /// <inheritdoc cref="CertificateSource.Ca"/>
    public IList<TlsInput> Ca => Tls.Ca;

    /// <inheritdoc cref="CertificateSource.Pfx"/>
    public TlsInput? Pfx { get => Tls.Pfx; set => Tls.Pfx = value; }

    /// <inheritdoc cref="CertificateSource.Passphrase"/>
    public string? Passphrase { get => Tls.Passphrase; set => Tls.Passphrase = value; }

    /// <summary>
    /// Gets or sets a value indicating whether an HTTP/2 secure server also serves HTTP/1.1 clients (ALPN
    /// <c>http/1.1</c>), as Node's <c>allowHTTP1</c>. Ignored by <see cref="Https.CreateServer(SecureServerOptions, RequestHandler)"/>.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>: an HTTP/1.1-only client is refused, as by Node.</remarks>
    public bool AllowHttp1 { get; set; }

    /// <summary>
    /// Gets or sets the settings of the certificate check run before the server binds and before a reloaded
    /// certificate is swapped in (errors refuse, warnings are logged).
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: 14-day expiry warning, system clock, system trust store.</remarks>
    public CertificateCheckOptions? CertificateCheck { get; set; }

    /// <summary>Gets or sets which TLS versions and cipher suites are offered.</summary>
    /// <remarks>Defaults to <see cref="TlsPolicy.Intermediate"/>: TLS 1.2 + 1.3, ECDHE with AEAD ciphers only, no CBC.</remarks>
    public TlsPolicy TlsPolicy { get; set; } = TlsPolicy.Intermediate;

    /// <summary>
    /// Gets the certificates chosen by host name (SNI), keyed by an exact name (<c>api.example.com</c>) or a wildcard
    /// (<c>*.example.com</c>, one label). <see cref="Tls"/> is the default for other names and clients without SNI.
    /// </summary>
    public IDictionary<string, CertificateSource> SniCertificates { get; } = new Dictionary<string, CertificateSource>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets what happens when a client asks for a host name that no <see cref="SniCertificates"/> entry covers.</summary>
    /// <remarks>Defaults to <see cref="UnknownServerNameAction.UseDefault"/>. Clients that send no name always get the default.</remarks>
    public UnknownServerNameAction UnknownServerName { get; set; } = UnknownServerNameAction.UseDefault;

    /// <summary>Gets or sets whether clients are asked for a certificate (mutual TLS).</summary>
    /// <remarks>Defaults to <see cref="ClientCertificateMode.Off"/>.</remarks>
    public ClientCertificateMode ClientCertificateMode { get; set; } = ClientCertificateMode.Off;

    /// <summary>
    /// Gets the CA certificates that client certificates must chain to (PEM files may hold several). Client
    /// certificates must also carry the clientAuth extended key usage. Required when
    /// <see cref="ClientCertificateMode"/> is not <see cref="ClientCertificateMode.Off"/>.
    /// </summary>
    public IList<TlsInput> ClientCertificateAuthorities { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether the certificate and key files are watched and a renewed set is loaded,
    /// checked and swapped in without a restart (a bad set is reported and the old certificate keeps serving).
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>. <see cref="HttpServer.ReloadCertificatesAsync(CancellationToken)"/> reloads on demand either way.</remarks>
    public bool WatchCertificateFiles { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether SIGHUP reloads the certificates (as <c>roost serve</c> does).</summary>
    /// <remarks>Defaults to <see langword="false"/>: a library does not take over a process signal unasked.</remarks>
    public bool ReloadCertificatesOnHangup { get; set; }

    /// <summary>
    /// Gets or sets how long a reload waits for files that are still being written (an empty file, a certificate whose
    /// key has not been replaced yet) before it gives up and reports the problem.
    /// </summary>
    /// <remarks>Defaults to 5 seconds; the files are read again every 200 ms meanwhile. Must not be negative (checked by <see cref="ServerOptions.Validate"/>).</remarks>
    public TimeSpan CertificateReloadSettleTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets a value indicating whether OCSP responses are fetched from the CA and stapled to handshakes when
    /// the certificate names an OCSP responder and its chain reaches a root. Turn it off on hosts without network access
    /// to the CA: no request is then made, at startup or later.
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>. Fetching happens in the background; it never delays startup or a handshake.</remarks>
    public bool OcspStapling { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether TLS session tickets are issued, so that a returning client resumes its
    /// session without a new certificate signature (TLS 1.3 and TLS 1.2). Off, sessions still resume, but only on the
    /// process that made them (its session cache), as with nginx's <c>ssl_session_tickets off</c>.
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>. In a cluster every worker uses the primary's keys (docs/tls.md).</remarks>
    public bool SessionTickets { get; set; } = true;

    /// <summary>
    /// Gets or sets how often a new session ticket encryption key is made; the two previous keys still open tickets, and
    /// a session can be resumed for two intervals. In a cluster the primary's setting applies.
    /// </summary>
    /// <remarks>
    /// Defaults to 12 hours (Caddy's interval). Must be more than zero (checked by <see cref="ServerOptions.Validate"/>).
    /// Ignored when <see cref="SessionTicketKeyFile"/> is set.
    /// </remarks>
    public TimeSpan SessionTicketKeyRotation { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Gets or sets a file of session ticket keys the operator manages and shares with other machines behind one load
    /// balancer: one key per line, base64 of 80 bytes, the first encrypts (docs/tls.md). It must be readable by its
    /// owner only. Roost then makes no keys and does not rotate: replace the file and reload to rotate.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: keys made in memory and rotated every <see cref="SessionTicketKeyRotation"/>.</remarks>
    public string? SessionTicketKeyFile { get; set; }

    /// <summary>
    /// Gets or sets automatic certificates: the server obtains its certificate from an ACME CA when it starts
    /// listening, renews it and swaps renewals in (docs/acme.md). Instead of <see cref="Cert"/>, <see cref="Key"/>,
    /// <see cref="Pfx"/> and <see cref="Ca"/>.
    /// </summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>: the certificate comes from the TLS material above. With it,
    /// <see cref="HttpServer.ListenAsync(System.Net.IPEndPoint, CancellationToken)"/> completes once a certificate is
    /// served: at once when one is stored, otherwise after the first order (failed attempts are logged to
    /// <see cref="ServerOptions.LoggerFactory"/>, category <c>Roost.Acme</c>, and retried with back-off), or at once on
    /// the development chain with <see cref="AcmeOptions.FallbackToDevelopment"/>. The certificate files are always
    /// watched. One process per certificate: in a cluster, use <c>roost serve --domain</c> or <c>roost run --domain</c>.
    /// </remarks>
    public AcmeOptions? Acme { get; set; }

    /// <inheritdoc/>
    internal override void AddProblems(List<string> problems)
    {
        base.AddProblems(problems);
        Acme?.AddProblems(problems, this);
        if (CertificateReloadSettleTime < TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.SettleTimeNegative(CertificateReloadSettleTime));
        }

        if (SessionTicketKeyRotation <= TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.TicketKeyRotationNotPositive(SessionTicketKeyRotation));
        }
    }

    /// <summary>Options for PEM or DER files read when the server is created; errors then name each file.</summary>
    /// <param name="certPath">The certificate file.</param>
    /// <param name="keyPath">The private key file.</param>
    /// <param name="caPaths">Intermediate (and optionally root) certificate files.</param>
    /// <returns>The options.</returns>
    public static SecureServerOptions FromFiles(string certPath, string keyPath, params string[] caPaths)
    {
        var source = CertificateSource.FromPemFiles(certPath, keyPath, caPaths);
        var options = new SecureServerOptions { Cert = source.Cert, Key = source.Key };
        foreach (var ca in source.Ca)
        {
            options.Ca.Add(ca);
        }

        return options;
    }
}
