namespace Roost.Tls;

/// <summary>The names under which a user gave TLS material, so messages can point at the right option.</summary>
internal sealed record TlsOptionNames(string Cert, string Key, string Ca, string Pfx, string Passphrase)
{
    /// <summary>Names of <see cref="CertificateSource"/> / <see cref="SecureServerOptions"/> properties.</summary>
    public static readonly TlsOptionNames Facade = new("Cert", "Key", "Ca", "Pfx", "Passphrase");

    /// <summary>Names of the <c>roost</c> command's flags.</summary>
    public static readonly TlsOptionNames Cli = new("--cert", "--key", "--ca", "--pfx", "--passphrase");
}
