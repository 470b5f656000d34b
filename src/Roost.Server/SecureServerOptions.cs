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
