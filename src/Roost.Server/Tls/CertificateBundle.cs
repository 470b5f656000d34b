using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Roost.Tls;

/// <summary>
/// A server certificate ready for TLS: the leaf with its private key, the intermediates to send in the handshake
/// (in order, leaf's issuer first) and what else was given.
/// </summary>
/// <remarks>
/// Created by <see cref="CertificateLoader"/>. Disposing releases the certificates and keys; a TLS context already
/// built from the bundle keeps working.
/// </remarks>
public sealed class CertificateBundle : IDisposable
{
    internal CertificateBundle(
        X509Certificate2 leaf,
        IReadOnlyList<X509Certificate2> intermediates,
        X509Certificate2? root,
        IReadOnlyList<X509Certificate2> unused,
        bool chainWasReordered,
        string description)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        Root = root;
        Unused = unused;
        ChainWasReordered = chainWasReordered;
        Description = description;
    }

    /// <summary>Gets the server (leaf) certificate; it carries its private key.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>Gets the intermediate certificates sent after the leaf, the leaf's issuer first.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>Gets the self-signed root the chain ends in, when it was given. It is never sent: clients have their own.</summary>
    public X509Certificate2? Root { get; }

    /// <summary>Gets certificates that were given but are not part of the leaf's chain (they are not sent).</summary>
    public IReadOnlyList<X509Certificate2> Unused { get; }

    /// <summary>Gets a value indicating whether the chain was given out of order and was put in order.</summary>
    public bool ChainWasReordered { get; }

    /// <summary>Gets where the bundle came from, for logs, e.g. <c>'ssl/site.cer' + 'ssl/site.key'</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// Builds the context that Kestrel serves in every handshake: the leaf and its intermediates, so clients that
    /// trust only the root can verify the server.
    /// </summary>
    /// <param name="offline">
    /// <see langword="true"/> to build without network access (no OCSP staple, no fetching of missing issuers).
    /// </param>
    /// <returns>The context.</returns>
    public SslStreamCertificateContext CreateContext(bool offline = true)
    {
        var chain = new X509Certificate2Collection();
        foreach (var intermediate in Intermediates)
        {
            chain.Add(intermediate);
        }

        return SslStreamCertificateContext.Create(Leaf, chain, offline);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var certificate in Intermediates)
        {
            certificate.Dispose();
        }

        Root?.Dispose();
        foreach (var certificate in Unused)
        {
            certificate.Dispose();
        }
    }
}
