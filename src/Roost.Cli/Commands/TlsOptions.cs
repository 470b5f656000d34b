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

    /// <summary>Adds the flags that only a server has (policy, SNI, client certificates, reload, OCSP).</summary>
    public void AddServingTo(Command command)
    {
        command.Options.Add(Policy);
        command.Options.Add(Sni);
        command.Options.Add(UnknownSni);
        command.Options.Add(ClientCert);
        command.Options.Add(ClientCa);
        command.Options.Add(NoWatch);
        command.Options.Add(NoOcsp);
    }

    public Option<string> Policy { get; } = CreatePolicy();

    public Option<string[]> Sni { get; } = new("--sni")
    {
        Description = "A certificate chosen by host name: HOST=CERT,KEY[,CA...] (HOST exact, or *.example.com for one label). Repeat for several; --cert/--key is the default for other names.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> UnknownSni { get; } = CreateChoice("--unknown-sni", "default", "What a client asking for a host name no --sni covers gets: default (the --cert certificate) or refuse (handshake refused).", "default", "refuse");

    public Option<string> ClientCert { get; } = CreateChoice("--client-cert", "off", "Client certificates (mutual TLS): off, allow (asked for, optional) or require. Needs --client-ca; clientAuth usage is enforced.", "off", "allow", "require");

    public Option<string[]> ClientCa { get; } = new("--client-ca")
    {
        Description = "CA certificate file(s) that client certificates must chain to; repeat for several.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> NoWatch { get; } = new("--no-watch")
    {
        Description = "Do not watch the certificate files for renewals (SIGHUP still reloads).",
    };

    public Option<bool> NoOcsp { get; } = new("--no-ocsp")
    {
        Description = "Never contact the CA's OCSP responder (air-gapped hosts): no OCSP staple is sent. Default: stapled when the certificate names a responder.",
    };

    /// <summary>Reads the serving flags into <paramref name="settings"/>.</summary>
    public TlsSettings ReadServing(ParseResult parse, TlsSettings settings) => settings with
    {
        Policy = Enum.Parse<TlsPolicy>(parse.GetValue(Policy)!, ignoreCase: true),
        Sni = parse.GetValue(Sni) ?? [],
        RefuseUnknownSni = parse.GetValue(UnknownSni) == "refuse",
        ClientCertificateMode = Enum.Parse<ClientCertificateMode>(parse.GetValue(ClientCert)!, ignoreCase: true),
        ClientCa = parse.GetValue(ClientCa) ?? [],
        Watch = !parse.GetValue(NoWatch),
        OcspStapling = !parse.GetValue(NoOcsp),
    };

    private static Option<string> CreatePolicy() => CreateChoice(
        "--tls-policy",
        "intermediate",
        "TLS versions and ciphers: intermediate (TLS 1.2 + 1.3, ECDHE + AEAD only, no CBC), modern (TLS 1.3 only), compatible (adds CBC and RSA key exchange for old clients; TLS 1.2+). See docs/tls.md.",
        "intermediate",
        "modern",
        "compatible");

    private static Option<string> CreateChoice(string name, string defaultValue, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
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

    public TlsPolicy Policy { get; init; } = TlsPolicy.Intermediate;

    public IReadOnlyList<string> Sni { get; init; } = [];

    public bool RefuseUnknownSni { get; init; }

    public ClientCertificateMode ClientCertificateMode { get; init; } = ClientCertificateMode.Off;

    public IReadOnlyList<string> ClientCa { get; init; } = [];

    public bool Watch { get; init; } = true;

    public bool OcspStapling { get; init; } = true;

    /// <summary>Applies the serving settings (policy, SNI, mTLS, reload, OCSP) to <paramref name="options"/>.</summary>
    public void ApplyServing(SecureServerOptions options)
    {
        options.TlsPolicy = Policy;
        options.UnknownServerName = RefuseUnknownSni ? UnknownServerNameAction.Refuse : UnknownServerNameAction.UseDefault;
        options.ClientCertificateMode = ClientCertificateMode;
        foreach (var ca in ClientCa)
        {
            options.ClientCertificateAuthorities.Add(TlsInput.FromFile(ca));
        }

        options.WatchCertificateFiles = Watch;
        options.ReloadCertificatesOnHangup = true;
        options.OcspStapling = OcspStapling;
        foreach (var entry in Sni)
        {
            var (host, source) = ParseSni(entry);
            options.SniCertificates[host] = source;
        }
    }

    /// <summary>Parses <c>HOST=CERT,KEY[,CA...]</c>.</summary>
    internal static (string Host, CertificateSource Source) ParseSni(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        var files = equals > 0 ? value[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        if (equals <= 0 || files.Length < 2)
        {
            throw new ArgumentException(ErrorMessages.SniOptionInvalid(value), nameof(value));
        }

        var source = CertificateSource.FromPemFiles(files[0], files[1], files[2..]);
        source.Names = new TlsOptionNames($"--sni {value[..equals]} (certificate)", $"--sni {value[..equals]} (key)", $"--sni {value[..equals]} (chain)", "--pfx", "--passphrase");
        return (value[..equals], source);
    }

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
            ApplyServing(options);
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

        ApplyServing(options);
        return (options, development);
    }
}
