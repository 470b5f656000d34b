using System.Text.Json;
using System.Text.Json.Serialization;
using Roost.Tls;

namespace Roost.StartupHook;

/// <summary>
/// What the <c>roost run</c> primary tells each worker's startup hook (JSON in <see cref="EnvironmentVariable"/>):
/// the TLS files as resolved and checked by the primary, the shared-state store, and the drain timeout.
/// </summary>
internal sealed record RunWorkerConfig
{
    /// <summary>The environment variable that carries the JSON (removed by the hook once read).</summary>
    public const string EnvironmentVariable = "ROOST_RUN_CONFIG";

    /// <summary>The runtime's startup hook variable (removed by the hook so the app's own child processes do not load it).</summary>
    public const string StartupHooksVariable = "DOTNET_STARTUP_HOOKS";

    /// <summary>The hook assembly's file name (the runtime finds a hook by path or by this simple name).</summary>
    public const string HookFileName = "Roost.StartupHook.dll";

    public string? Cert { get; init; }

    public string? Key { get; init; }

    public IReadOnlyList<string> Ca { get; init; } = [];

    public string? Pfx { get; init; }

    public string? Passphrase { get; init; }

    public TlsPolicy Policy { get; init; } = TlsPolicy.Intermediate;

    public IReadOnlyList<RunSniConfig> Sni { get; init; } = [];

    public bool RefuseUnknownSni { get; init; }

    public ClientCertificateMode ClientCertificateMode { get; init; } = ClientCertificateMode.Off;

    public IReadOnlyList<string> ClientCa { get; init; } = [];

    public bool OcspStapling { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether the files are the certificate the primary obtains and renews itself
    /// (<c>--domain</c>): the worker then watches them and swaps a renewal in, and gives no "certbot renew" warning.
    /// Other certificate files are not watched (a reload replaces the workers, which read them again).
    /// </summary>
    public bool RenewedByAcme { get; init; }

    /// <summary>Gets a value indicating whether session tickets are issued (the keys come from the primary over IPC, never through this configuration).</summary>
    public bool SessionTickets { get; init; } = true;

    /// <summary>Gets the primary's ticket key rotation in seconds (the session lifetime is two of them).</summary>
    public long TicketKeyRotationSeconds { get; init; } = 12 * 3600;

    /// <summary>Gets the SQLite state folder (absolute), or <see langword="null"/>.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Gets the Redis address, or <see langword="null"/>.</summary>
    public string? StateRedis { get; init; }

    public long DrainTimeoutMilliseconds { get; init; } = 30_000;

    /// <summary>
    /// Gets the largest request body in bytes when <c>--max-body-size</c> was given (0: no limit), or
    /// <see langword="null"/>: the app's own Kestrel limit stays (Kestrel's default is 30 MB).
    /// </summary>
    public long? MaxBodySize { get; init; }

    /// <summary>Gets <see cref="Http2Options.StreamResetBurst"/> (<c>--http2-stream-reset-burst</c>); <see langword="null"/>: the default.</summary>
    public int? Http2StreamResetBurst { get; init; }

    /// <summary>Gets <see cref="Http2Options.StreamResetsPerSecond"/> (<c>--http2-stream-resets-per-second</c>); <see langword="null"/>: the default.</summary>
    public int? Http2StreamResetsPerSecond { get; init; }

    /// <summary>Gets <see cref="Http2Options.MaxContinuationFrames"/> (<c>--http2-max-continuation-frames</c>); <see langword="null"/>: the default.</summary>
    public int? Http2MaxContinuationFrames { get; init; }

    /// <summary>Gets <see cref="Http2Options.GoAwayGracePeriod"/> in milliseconds (<c>--http2-goaway-grace</c>); <see langword="null"/>: the default.</summary>
    public long? Http2GoAwayGraceMilliseconds { get; init; }

    /// <summary>Adds <paramref name="hook"/> to a <c>DOTNET_STARTUP_HOOKS</c> value, keeping hooks already there (they run first).</summary>
    public static string WithHook(string? existing, string hook) =>
        string.IsNullOrEmpty(existing) ? hook : existing + Path.PathSeparator + hook;

    /// <summary>Removes <paramref name="hook"/> from a <c>DOTNET_STARTUP_HOOKS</c> value; <see langword="null"/> when none is left.</summary>
    public static string? WithoutHook(string? value, string hook)
    {
        var rest = (value ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(h => !string.Equals(Path.GetFullPath(h), Path.GetFullPath(hook), StringComparison.Ordinal));
        var joined = string.Join(Path.PathSeparator, rest);
        return joined.Length == 0 ? null : joined;
    }

    public bool HasState => StateDirectory is not null || StateRedis is not null;

    public string ToJson() => JsonSerializer.Serialize(this, RunJsonContext.Default.RunWorkerConfig);

    /// <exception cref="JsonException">The text is not a configuration.</exception>
    public static RunWorkerConfig Parse(string json) =>
        JsonSerializer.Deserialize(json, RunJsonContext.Default.RunWorkerConfig) ?? throw new JsonException("null configuration");

    /// <summary>The TLS options for the worker's Kestrel, as <c>roost serve</c> builds them (chain sent, policy, SNI, mTLS, OCSP).</summary>
    public SecureServerOptions ToServerOptions()
    {
        var options = new SecureServerOptions
        {
            AllowHttp1 = true,
            Cert = Cert is null ? null : TlsInput.FromFile(Cert),
            Key = Key is null ? null : TlsInput.FromFile(Key),
            Pfx = Pfx is null ? null : TlsInput.FromFile(Pfx),
            Passphrase = Passphrase,
            TlsPolicy = Policy,
            UnknownServerName = RefuseUnknownSni ? UnknownServerNameAction.Refuse : UnknownServerNameAction.UseDefault,
            ClientCertificateMode = ClientCertificateMode,
            OcspStapling = OcspStapling,
            SessionTickets = SessionTickets,
            SessionTicketKeyRotation = TimeSpan.FromSeconds(Math.Max(1, TicketKeyRotationSeconds)),

            // The primary replaces workers on SIGHUP (each new worker reads the files again); workers do not watch,
            // except the managed certificate of --domain, which the primary renews in place (docs/acme.md).
            WatchCertificateFiles = RenewedByAcme && !TlsFileStore.IsProvided,
            ReloadCertificatesOnHangup = false,
        };
        options.Tls.Names = TlsOptionNames.Cli;
        if (RenewedByAcme)
        {
            options.CertificateCheck = new CertificateCheckOptions { RenewedAutomatically = true };
        }

        options.Http2.StreamResetBurst = Http2StreamResetBurst ?? options.Http2.StreamResetBurst;
        options.Http2.StreamResetsPerSecond = Http2StreamResetsPerSecond ?? options.Http2.StreamResetsPerSecond;
        options.Http2.MaxContinuationFrames = Http2MaxContinuationFrames ?? options.Http2.MaxContinuationFrames;
        options.Http2.GoAwayGracePeriod = Http2GoAwayGraceMilliseconds is { } grace ? TimeSpan.FromMilliseconds(grace) : options.Http2.GoAwayGracePeriod;
        foreach (var ca in Ca)
        {
            options.Ca.Add(TlsInput.FromFile(ca));
        }

        foreach (var ca in ClientCa)
        {
            options.ClientCertificateAuthorities.Add(TlsInput.FromFile(ca));
        }

        foreach (var sni in Sni)
        {
            options.SniCertificates[sni.Host] = CertificateSource.FromPemFiles(sni.Cert, sni.Key, [.. sni.Ca]);
        }

        return options;
    }
}

/// <summary>A certificate chosen by host name (<c>--sni HOST=CERT,KEY[,CA...]</c>).</summary>
internal sealed record RunSniConfig(string Host, string Cert, string Key, IReadOnlyList<string> Ca);

/// <summary>Source-generated JSON for <see cref="RunWorkerConfig"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunWorkerConfig))]
internal sealed partial class RunJsonContext : JsonSerializerContext;
