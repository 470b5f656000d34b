using System.CommandLine;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>The TLS flags shared by commands: --cert, --key, --ca, --pfx, --passphrase.</summary>
internal sealed class TlsOptions
{
    public Option<string?> Cert { get; } = new("--cert") { Description = "Server certificate file (PEM or DER; may hold the chain after the leaf)." };

    public Option<string?> Key { get; } = new("--key") { Description = "Private key file (PKCS#1, PKCS#8, SEC1; PEM or DER; may be encrypted)." };

    public Option<string[]> Ca { get; } = new("--ca")
    {
        Description = "Intermediate (and optionally root) certificate file; repeat for several. Sent in chain order; the root is never sent.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Pfx { get; } = new("--pfx") { Description = "PKCS#12 (PFX) file instead of --cert/--key." };

    public Option<string?> Passphrase { get; } = new("--passphrase") { Description = "Passphrase of an encrypted key or PFX (or set ROOST_TLS_PASSPHRASE)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Cert);
        command.Options.Add(Key);
        command.Options.Add(Ca);
        command.Options.Add(Pfx);
        command.Options.Add(Passphrase);
    }

    public TlsSettings Read(ParseResult parse) => new(
        parse.GetValue(Cert),
        parse.GetValue(Key),
        parse.GetValue(Ca) ?? [],
        parse.GetValue(Pfx),
        parse.GetValue(Passphrase) ?? Environment.GetEnvironmentVariable("ROOST_TLS_PASSPHRASE"));
}

/// <summary>TLS files as given on the command line.</summary>
internal sealed record TlsSettings(string? Cert, string? Key, IReadOnlyList<string> Ca, string? Pfx, string? Passphrase)
{
    public bool IsEmpty => Cert is null && Key is null && Pfx is null && Ca.Count == 0;

    /// <summary>The files as a <see cref="CertificateSource"/> whose messages name the CLI flags.</summary>
    public CertificateSource ToSource()
    {
        var source = new CertificateSource
        {
            Cert = Cert is null ? null : TlsInput.FromFile(Cert),
            Key = Key is null ? null : TlsInput.FromFile(Key),
            Pfx = Pfx is null ? null : TlsInput.FromFile(Pfx),
            Passphrase = Passphrase,
            Names = TlsOptionNames.Cli,
        };
        foreach (var ca in Ca)
        {
            source.Ca.Add(TlsInput.FromFile(ca));
        }

        return source;
    }

    /// <summary>Server options from the files, or from the development chain when no file was given.</summary>
    public (SecureServerOptions Options, DevelopmentCertificateFiles? Development) ToServerOptions()
    {
        var options = new SecureServerOptions();
        options.Tls.Names = TlsOptionNames.Cli;
        DevelopmentCertificateFiles? development = null;
        if (IsEmpty)
        {
            development = DevelopmentCertificates.Ensure();
            options.Cert = TlsInput.FromFile(development.CertPath);
            options.Key = TlsInput.FromFile(development.KeyPath);
            options.Ca.Add(TlsInput.FromFile(development.ChainPath));

            // The root is never sent; given, it lets the startup check verify the whole chain.
            options.Ca.Add(TlsInput.FromFile(development.RootPath));
            return (options, development);
        }

        options.Cert = Cert is null ? null : TlsInput.FromFile(Cert);
        options.Key = Key is null ? null : TlsInput.FromFile(Key);
        options.Pfx = Pfx is null ? null : TlsInput.FromFile(Pfx);
        options.Passphrase = Passphrase;
        foreach (var ca in Ca)
        {
            options.Ca.Add(TlsInput.FromFile(ca));
        }

        return (options, development);
    }
}
