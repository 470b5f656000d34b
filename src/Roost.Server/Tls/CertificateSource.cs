namespace Roost.Tls;

/// <summary>
/// The TLS material a server is given, named as Node's <c>tls</c> options name it: <see cref="Cert"/> and
/// <see cref="Key"/> (plus <see cref="Ca"/> for the chain), or a <see cref="Pfx"/> bundle.
/// </summary>
public sealed class CertificateSource
{
    /// <summary>Gets or sets the server certificate (PEM or DER). A PEM file may also hold the chain after the leaf.</summary>
    public TlsInput? Cert { get; set; }

    /// <summary>Gets or sets the private key: PKCS#1, PKCS#8, SEC1 (EC) or encrypted PKCS#8; PEM or DER.</summary>
    public TlsInput? Key { get; set; }

    /// <summary>
    /// Gets the issuing certificates: intermediates (sent in every handshake, in chain order whatever order they are
    /// given in) and optionally the root (never sent). Each entry may hold several PEM certificates.
    /// </summary>
    public IList<TlsInput> Ca { get; } = [];

    /// <summary>Gets or sets a PKCS#12 (PFX) bundle holding the certificate, its key and optionally the chain.</summary>
    public TlsInput? Pfx { get; set; }

    /// <summary>Gets or sets the passphrase for an encrypted <see cref="Key"/> or for <see cref="Pfx"/>.</summary>
    public string? Passphrase { get; set; }

    /// <summary>How the options are called where they came from (the façade's property names or the CLI's flags).</summary>
    internal TlsOptionNames Names { get; set; } = TlsOptionNames.Facade;

    /// <summary>Material read from PEM or DER files when the server is created.</summary>
    /// <param name="certPath">The certificate file.</param>
    /// <param name="keyPath">The private key file.</param>
    /// <param name="caPaths">Intermediate (and optionally root) certificate files.</param>
    /// <returns>The source.</returns>
    public static CertificateSource FromPemFiles(string certPath, string keyPath, params string[] caPaths)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPath);
        ArgumentNullException.ThrowIfNull(caPaths);
        var source = new CertificateSource { Cert = TlsInput.FromFile(certPath), Key = TlsInput.FromFile(keyPath) };
        foreach (var ca in caPaths)
        {
            source.Ca.Add(TlsInput.FromFile(ca));
        }

        return source;
    }

    /// <summary>Material read from a PKCS#12 (PFX) file when the server is created.</summary>
    /// <param name="pfxPath">The PFX file.</param>
    /// <param name="passphrase">Its password, if any.</param>
    /// <returns>The source.</returns>
    public static CertificateSource FromPfxFile(string pfxPath, string? passphrase = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pfxPath);
        return new CertificateSource { Pfx = TlsInput.FromFile(pfxPath), Passphrase = passphrase };
    }
}
