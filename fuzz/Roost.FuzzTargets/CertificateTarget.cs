using Roost.Tls;

namespace Roost.FuzzTargets;

/// <summary>
/// TLS material as a user hands it over. Input: byte 0 picks the role of the rest (see <see cref="Role"/>); the other
/// roles get a fixed, valid P-256 certificate and key. Checks: <see cref="CertificateLoader.Load"/> either returns a
/// bundle whose leaf has its private key, or throws <see cref="CertificateLoadException"/> whose message names the
/// fuzzed input; any other exception is a failure.
/// </summary>
public static class CertificateTarget
{
    private static readonly byte[] CertificatePem = Resource("fuzz-cert.pem");
    private static readonly byte[] KeyPem = Resource("fuzz-key.pem");

    /// <summary>What the fuzzed bytes are given as.</summary>
    public enum Role
    {
        /// <summary>The certificate, with the fixed key.</summary>
        Cert,

        /// <summary>The key, for the fixed certificate.</summary>
        Key,

        /// <summary>The key with a passphrase given (encrypted keys).</summary>
        EncryptedKey,

        /// <summary>Certificate and key in one file, no separate key.</summary>
        Combined,

        /// <summary>A chain file next to the fixed certificate and key.</summary>
        Ca,

        /// <summary>A PKCS#12 bundle without a passphrase.</summary>
        Pfx,

        /// <summary>A PKCS#12 bundle with a passphrase.</summary>
        PfxWithPassphrase,
    }

    /// <summary>The passphrase given with <see cref="Role.EncryptedKey"/> and <see cref="Role.PfxWithPassphrase"/>.</summary>
    public const string Passphrase = "fuzz";

    /// <summary>The fixed certificate (PEM) the other roles use.</summary>
    public static ReadOnlySpan<byte> Certificate => CertificatePem;

    /// <summary>The fixed key (PKCS#8 PEM) the other roles use.</summary>
    public static ReadOnlySpan<byte> Key => KeyPem;

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Load((Role)(data[0] % 7), TlsInput.FromBytes(data[1..].ToArray()));
    }

    /// <summary>Loads <paramref name="fuzzed"/> in <paramref name="role"/> and checks the outcome.</summary>
    public static void Load(Role role, TlsInput fuzzed)
    {
        var source = role switch
        {
            Role.Cert => new CertificateSource { Cert = fuzzed, Key = KeyPem },
            Role.Key => new CertificateSource { Cert = CertificatePem, Key = fuzzed },
            Role.EncryptedKey => new CertificateSource { Cert = CertificatePem, Key = fuzzed, Passphrase = Passphrase },
            Role.Combined => new CertificateSource { Cert = fuzzed },
            Role.Ca => new CertificateSource { Cert = CertificatePem, Key = KeyPem, Ca = { fuzzed } },
            Role.Pfx => new CertificateSource { Pfx = fuzzed },
            _ => new CertificateSource { Pfx = fuzzed, Passphrase = Passphrase },
        };

        CertificateBundle bundle;
        try
        {
            bundle = CertificateLoader.Load(source);
        }
        catch (CertificateLoadException ex)
        {
            FuzzInvariantException.That(ex.Message.Contains(fuzzed.ToString(), StringComparison.Ordinal), $"the message does not name the input {fuzzed} ({role}): {ex.Message}");
            return;
        }

        using (bundle)
        {
            FuzzInvariantException.That(bundle.Leaf.HasPrivateKey, $"a {role} input was loaded as a leaf without its private key");
        }
    }

    private static byte[] Resource(string name)
    {
        using var stream = typeof(CertificateTarget).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {typeof(CertificateTarget).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
