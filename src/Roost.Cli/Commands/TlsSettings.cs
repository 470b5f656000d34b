using Roost.Cli.Configuration;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>The TLS settings as given (files as typed, relative to the working directory, or made absolute for a configuration file's).</summary>
internal sealed record TlsSettings(string? Cert, string? Key, IReadOnlyList<string> Ca, string? Pfx, string? Passphrase)
{
    /// <summary>The TLS settings from the effective settings.</summary>
    public static TlsSettings From(EffectiveSettings settings) => new(
        settings.Get(RoostSettings.Cert),
        settings.Get(RoostSettings.Key),
        settings.Get(RoostSettings.Ca),
        settings.Get(RoostSettings.Pfx),
        settings.Get(RoostSettings.Passphrase))
    {
        Policy = Enum.Parse<TlsPolicy>(settings.Get(RoostSettings.TlsPolicy)!, ignoreCase: true),
        Sni = settings.Get(RoostSettings.Sni),
        RefuseUnknownSni = string.Equals(settings.Get(RoostSettings.UnknownSni), "refuse", StringComparison.OrdinalIgnoreCase),
        ClientCertificateMode = Enum.Parse<ClientCertificateMode>(settings.Get(RoostSettings.ClientCert)!, ignoreCase: true),
        ClientCa = settings.Get(RoostSettings.ClientCa),
        Watch = settings.Get(RoostSettings.Watch),
        OcspStapling = settings.Get(RoostSettings.Ocsp),
        SessionTickets = settings.Get(RoostSettings.SessionTickets),
        TicketKeyRotation = ServeRecycleOptions.TryParseDuration(settings.Get(RoostSettings.TicketKeyRotation)!) ?? TimeSpan.FromHours(12),
        TicketKeyFile = settings.Get(RoostSettings.TicketKeyFile),
    };

    public bool IsEmpty => Cert is null && Key is null && Pfx is null && Ca.Count == 0;

    public TlsPolicy Policy { get; init; } = TlsPolicy.Intermediate;

    public IReadOnlyList<string> Sni { get; init; } = [];

    public bool RefuseUnknownSni { get; init; }

    public ClientCertificateMode ClientCertificateMode { get; init; } = ClientCertificateMode.Off;

    public IReadOnlyList<string> ClientCa { get; init; } = [];

    public bool Watch { get; init; } = true;

    /// <summary>Whether the files are the certificate roost serve --domain obtains and renews itself (no "certbot renew" warning).</summary>
    public bool RenewedByAcme { get; init; }

    public bool OcspStapling { get; init; } = true;

    public bool SessionTickets { get; init; } = true;

    public TimeSpan TicketKeyRotation { get; init; } = TimeSpan.FromHours(12);

    public string? TicketKeyFile { get; init; }

    /// <summary>Applies the session ticket settings to the primary's options (it makes the keys every worker uses).</summary>
    public void ApplyTicketKeys(ClusterOptions options)
    {
        options.SessionTicketKeyRotation = TicketKeyRotation;
        options.SessionTicketKeyFile = TicketKeyFile;
    }

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

        // A worker started with --user reads no file: the primary watches and sends renewals (WorkerTlsFiles).
        options.WatchCertificateFiles = Watch && !TlsFileStore.IsProvided;
        options.ReloadCertificatesOnHangup = true;
        options.OcspStapling = OcspStapling;
        if (RenewedByAcme)
        {
            options.CertificateCheck ??= new CertificateCheckOptions();
            options.CertificateCheck.RenewedAutomatically = true;
        }

        options.SessionTickets = SessionTickets;
        options.SessionTicketKeyRotation = TicketKeyRotation;
        options.SessionTicketKeyFile = TicketKeyFile;
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
        if (TicketKeyFile is not null)
        {
            // Checked here, before any worker starts; the keys themselves are read by the primary (or this process).
            try
            {
                _ = Roost.Tls.Resumption.TicketKeyFile.Load(TicketKeyFile, 0, "--ticket-key-file");
            }
            catch (InvalidOperationException ex)
            {
                throw new CertificateLoadException(ex.Message, TicketKeyFile, "--ticket-key-file", ex);
            }
        }

        var options = new SecureServerOptions();
        options.Tls.Names = TlsOptionNames.Cli;
        DevelopmentCertificateFiles? development = null;
        if (IsEmpty)
        {
            development = TlsFileStore.IsProvided ? DevelopmentCertificates.Locate() : DevelopmentCertificates.Ensure();
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
