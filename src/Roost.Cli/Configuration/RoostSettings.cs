using System.Globalization;
using System.Text.Json;
using Roost.Acme;
using Roost.Cli.Commands;
using Roost.Control;
using Roost.SharedState;

namespace Roost.Cli.Configuration;

/// <summary>
/// The settings table: every setting of <c>roost serve</c> and <c>roost run</c>, declared once. Options, environment
/// variables, file keys, defaults, help text, checks, the JSON schema (docs/roost.schema.json) and the precedence test
/// all come from this list; a new setting is one entry here plus the line that reads it
/// (<see cref="EffectiveSettings"/> users in the commands).
/// </summary>
internal static class RoostSettings
{
    public static readonly Setting<string?> App = new("app", SettingScope.Run, new TextType(), "must be the app's .dll, its publish folder or its project folder",
        "The app: its entry .dll, its publish folder, or its project folder (built output under bin/ is used; roost run does not build).")
    {
        IsArgument = true,
        RelativeTo = RelativeToFolder,
        Samples = ["app.dll", "publish", "src/App"],
    };

    public static readonly Setting<int> Port = new("port", SettingScope.Both, new IntegerType(0, 65535), "must be a port from 0 to 65535 (0 picks a free port)",
        "Port to listen on (0 picks a free port).")
    {
        InvalidTexts = ["70000", "-1", "abc"],
        Aliases = ["-p"],
        Default = ServeCommand.DefaultPort,
        IsValid = port => port is >= 0 and <= 65535,
        OptionMessage = raw => ErrorMessages.PortOutOfRange(int.Parse(raw, CultureInfo.InvariantCulture)) + " (option --port)",
        Samples = [443, 8080, 9443],
    };

    public static readonly Setting<string?> Host = new("host", SettingScope.Both, new TextType(), "must be an IP address or localhost",
        "Address to listen on: 0.0.0.0 (all IPv4), :: (all), 127.0.0.1 (this machine only).")
    {
        InvalidTexts = ["example.com"],
        Default = "0.0.0.0",
        IsValid = host => ServeAndRun.TryParseHost(host!, out _),
        OptionMessage = raw => ErrorMessages.HostInvalid(raw) + " (option --host)",
        Samples = ["127.0.0.1", "::", "localhost"],
    };

    public static readonly Setting<string?> Workers = new("workers", SettingScope.Both, new TextType(acceptNumbers: true, WorkersSchema), "must be auto, 0 or 1..1024",
        "Worker processes: a number, 'auto' (one per CPU) or 0 (serve in this process, no cluster; roost run: counts as 1). Workers are restarted with backoff when they crash.")
    {
        InvalidTexts = ["-1", "many", "1025"],
        Aliases = ["-w"],
        Default = "auto",
        IsValid = value => ServeAndRun.TryResolveWorkers(value, out _),
        OptionMessage = raw => $"--workers must be 'auto' or a number from 0 to 1024; got '{raw}'.",
        Samples = ["2", "3", "auto"],
    };

    public static readonly Setting<string?> State = new("state", SettingScope.Run, new TextType(), "must be sqlite:FOLDER or redis://host:port",
        "Share sessions, IDistributedCache and the Data Protection key ring between workers: sqlite:FOLDER (embedded store, one machine; FOLDER holds state.db and keys/) or redis://host:port (several machines). Default: off (the app keeps its own per-process cache).")
    {
        InvalidTexts = ["sqlite:", "redis://"],
        DefaultDescription = "off",
        Mask = MaskUrlPassword,
        IsValid = value => SharedStateOptions.TryParse(value, out _, out _),
        OptionMessage = raw => SharedStateOptions.TryParse(raw, out _, out var error) ? RunErrorMessages.StateInvalid(raw) : $"{RunErrorMessages.StateInvalid(raw)} {error}",
        RelativeTo = (value, folder) => value!.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? "sqlite:" + Path.Combine(folder, value["sqlite:".Length..]) : value,
        Samples = ["sqlite:state", "redis://127.0.0.1:6379", "sqlite:/var/lib/roost/state"],
    };

    public static readonly Setting<double> ShutdownTimeout = new("shutdown-timeout", SettingScope.Both, new SecondsType(0, 86400), "must be a number of seconds from 0 to 86400",
        "Seconds in-flight requests get to finish when roost stops (SIGINT/SIGTERM) or a worker drains (reload, recycling).")
    {
        InvalidTexts = ["-1", "soon"],
        Default = 30,
        IsValid = seconds => seconds is >= 0 and <= 86400,
        Samples = [10, 60, 5],
    };

    public static readonly Setting<double> BootTimeout = new("boot-timeout", SettingScope.Run, new SecondsType(1, 3600), "must be a number of seconds from 1 to 3600",
        "Seconds a worker may take from start to serving; longer is a boot failure (a reload then aborts).")
    {
        InvalidTexts = ["0", "soon"],
        Default = 30,
        IsValid = seconds => seconds is >= 1 and <= 3600,
        Samples = [60, 10, 120],
    };

    public static readonly Setting<string?> LogFormat = new("log-format", SettingScope.Both, new ChoiceType("text", "json"), "must be text or json",
        "Log format: text or json (roost run: the primary's; the app's workers log as the app configures).")
    {
        InvalidTexts = ["xml"],
        Default = "text",
        Samples = ["json", "text", "json"],
    };

    public static readonly Setting<string?> Name = new("name", SettingScope.Both, new TextType(), "must be 1 to 100 letters, digits, '.', '_' or '-'",
        "Instance name for roost status/reload/scale/stop (default: the port). The control socket is <run dir>/<name>/control.sock.")
    {
        InvalidTexts = ["a/b", ".."],
        Aliases = ["-n"],
        DefaultDescription = "the port",
        IsValid = name => ControlClient.IsValidName(name!),
        OptionMessage = ControlErrorMessages.NameInvalid,
        Samples = ["web", "api", "site-2"],
    };

    public static readonly Setting<string?> RunDir = new("run-dir", SettingScope.Both, new TextType(), "must be a folder",
        "Directory for the control socket instead of /run/roost/<name> (root), $XDG_RUNTIME_DIR/roost/<name> or ~/.local/state/roost/<name>.")
    {
        DefaultDescription = "<base>/<name>",
        RelativeTo = RelativeToFolder,
        Samples = ["/run/roost/a", "/run/roost/b", "run/c"],
    };

    public static readonly Setting<string?> User = new("user", SettingScope.Both, new TextType(acceptNumbers: true), "must be a user name or a numeric uid",
        "Run the workers as this user (with its primary and supplementary groups, or --group); the primary stays root: it binds the port, reads the key files and passes the loaded certificate to the workers. Needs root. Default: the workers run as roost's own user. (roost systemd-unit: the service's User=, default roost.)")
    {
        InvalidTexts = ["", "a b"],
        DefaultDescription = "roost's own user",
        IsValid = user => WorkerUserSetup.IsUserText(user!),
        OptionMessage = raw => $"--user must be a user name (such as www-data) or a numeric uid; got '{raw}'.",
        Samples = ["www-data", "nobody", "roost"],
    };

    public static readonly Setting<string?> Group = new("group", SettingScope.Both, new TextType(acceptNumbers: true), "must be a group name or a numeric gid",
        "With --user: the workers' group instead of the user's own primary group (nginx's 'user www-data www-data'); they keep the supplementary groups the user is a member of. Such workers are started through setpriv (util-linux). Default: the user's own. (roost systemd-unit: the service's Group=, also without --user.)")
    {
        InvalidTexts = ["", "a b"],
        DefaultDescription = "the user's own",
        IsValid = group => WorkerUserSetup.IsUserText(group!),
        OptionMessage = raw => $"--group must be a group name (such as www-data) or a numeric gid; got '{raw}'.",
        Requires = User,
        RequiresMessage = (where, group) => $"{where} '{group}' needs --user (user in roost.json, ROOST_USER): the workers take group {group} together with the user they run as, as nginx's 'user www-data {group}'. Add the user, e.g. --user www-data --group {group}, or drop {where}; to give roost's own processes group {group}, start roost with that group (sg {group}, or the systemd unit's Group=).",
        RequiresNotInUnit = true,
        Samples = ["www-data", "nogroup", "ssl-cert"],
    };

    public static readonly BooleanSetting HotSpare = new("hot-spare", SettingScope.Serve,
        "Keep one hot spare worker (started, app built, not listening) and promote it when a worker dies: capacity is back in about half the time of a cold start. Costs about one idle worker's memory. On by default with --workers.")
    {
        InvalidTexts = ["maybe"],
        Default = true,
        OnFlag = "--hot-spare",
        OffFlag = "--no-hot-spare",
        OffDescription = "Keep no hot spare (memory-tight hosts); a crashed worker is restarted cold after its backoff.",
        Samples = [false, true, false],
    };

    public static readonly Setting<string?> Root = new("root", SettingScope.Serve, new TextType(), "must be a folder",
        "Serve the files of this folder instead of the welcome page: index.html for folders, no listings, ETag/304, ranges, HEAD; dotfiles (except .well-known) and links leading out of the folder are 404.")
    {
        DefaultDescription = "the welcome page",
        RelativeTo = RelativeToFolder,
        Samples = ["public", "site", "/srv/www"],
    };

    public static readonly Setting<string?> MaxBodySize = new("max-body-size", SettingScope.Both, new TextType(acceptNumbers: true, SizeSchema), "must be a size in bytes, optionally with k, m or g, or 0 for no limit",
        "Largest request body accepted: bytes, or with k, m or g (1024-based, as nginx's client_max_body_size); 0 for no limit. A larger body gets 413 before any other answer. roost run applies it only when given (otherwise the app's own Kestrel limit, by default 30 MB).")
    {
        InvalidTexts = ["-1", "lots", "1t"],
        Default = "1m",
        DefaultScope = SettingScope.Serve,
        DefaultDescription = "the app's own limit: Kestrel's 30 MB unless the app sets one",
        IsValid = value => MaxBodySizeOption.TryParse(value, out _),
        OptionMessage = ServeErrorMessages.MaxBodySizeInvalid,
        Samples = ["512k", "10m", "0"],
    };

    public static readonly Setting<int> Http2StreamResetBurst = new("http2-stream-reset-burst", SettingScope.Both, new IntegerType(0, int.MaxValue), "must be a whole number from 0 up (0 turns the check off)",
        "RST_STREAM frames one HTTP/2 connection may send in a burst (refilled at --http2-stream-resets-per-second); one more ends the connection with GOAWAY(ENHANCE_YOUR_CALM): the Rapid Reset attack (CVE-2023-44487). 0 turns the check off. See docs/reliability.md.")
    {
        HelpName = "count",
        InvalidTexts = ["-1", "many"],
        Default = 100,
        IsValid = value => value >= 0,
        Samples = [200, 50, 1000],
    };

    public static readonly Setting<int> Http2StreamResetsPerSecond = new("http2-stream-resets-per-second", SettingScope.Both, new IntegerType(0, int.MaxValue), "must be a whole number from 0 up (0: the burst is never refilled)",
        "How fast the --http2-stream-reset-burst budget refills, in RST_STREAM frames per second (0: never; the burst is then all one connection gets).")
    {
        HelpName = "count",
        InvalidTexts = ["-5", "1.5"],
        Default = 33,
        IsValid = value => value >= 0,
        Samples = [100, 10, 0],
    };

    public static readonly Setting<int> Http2MaxContinuationFrames = new("http2-max-continuation-frames", SettingScope.Both, new IntegerType(0, int.MaxValue), "must be a whole number from 0 up (0 turns the check off)",
        "CONTINUATION frames one HTTP/2 header block may have; one more ends the connection with GOAWAY(ENHANCE_YOUR_CALM): the CONTINUATION flood. 0 turns the check off.")
    {
        HelpName = "count",
        InvalidTexts = ["-1", "lots"],
        Default = 16,
        IsValid = value => value >= 0,
        Samples = [32, 4, 0],
    };

    public static readonly Setting<double> Http2GoAwayGrace = new("http2-goaway-grace", SettingScope.Both, new SecondsType(0, 60), "must be a number of seconds from 0 to 60",
        "Seconds a closing server (stop, worker drain on reload or recycling) keeps serving new HTTP/2 streams after its first GOAWAY (last stream id 2^31-1), before the final one: streams a client sent before it read the first GOAWAY are served, not refused. 0 sends only the final GOAWAY.")
    {
        HelpName = "seconds",
        InvalidTexts = ["-1", "soon", "61"],
        Default = 1,
        IsValid = seconds => seconds is >= 0 and <= 60,
        Samples = [2, 0.5, 0],
    };

    public static readonly Setting<string?> Cert = PathSetting("cert", "Server certificate file (PEM or DER; may hold the chain after the leaf).");

    public static readonly Setting<string?> Key = PathSetting("key", "Private key file (PKCS#1, PKCS#8, SEC1; PEM or DER; may be encrypted).");

    public static readonly Setting<string[]> Ca = PathListSetting("ca", "Intermediate (and optionally root) certificate file; repeat for several. Sent in chain order; the root is never sent.");

    public static readonly Setting<string?> Pfx = PathSetting("pfx", "PKCS#12 (PFX) file instead of --cert/--key.");

    public static readonly Setting<string?> Passphrase = new("passphrase", SettingScope.Both, new TextType(), "must be text",
        "Passphrase of an encrypted key or PFX (or set ROOST_PASSPHRASE: arguments are visible in ps).")
    {
        Secret = true,
        EnvironmentAliases = ["ROOST_TLS_PASSPHRASE"],
        Samples = ["first secret", "second secret", "third secret"],
    };

    public static readonly Setting<string?> TlsPolicy = new("tls-policy", SettingScope.Both, new ChoiceType("intermediate", "modern", "compatible"), "must be intermediate, modern or compatible",
        "TLS versions and ciphers: intermediate (TLS 1.2 + 1.3, ECDHE + AEAD only, no CBC), modern (TLS 1.3 only), compatible (adds CBC and RSA key exchange for old clients; TLS 1.2+). See docs/tls.md.")
    {
        InvalidTexts = ["old"],
        Default = "intermediate",
        Samples = ["modern", "compatible", "intermediate"],
    };

    public static readonly Setting<string[]> Sni = new("sni", SettingScope.Both, new TextListType(), "must be a list of HOST=CERT,KEY[,CA...]",
        "A certificate chosen by host name: HOST=CERT,KEY[,CA...] (HOST exact, or *.example.com for one label). Repeat for several; --cert/--key is the default for other names.")
    {
        InvalidTexts = ["api.test=only-cert.pem"],
        Default = [],
        IsValid = entries => entries.All(IsSniEntry),
        RelativeTo = (entries, folder) => [.. entries.Select(entry => SniRelativeTo(entry, folder))],
        Samples = [["a.test=a.pem,a.key"], ["b.test=b.pem,b.key,chain.pem"], ["a.test=a.pem,a.key", "*.c.test=c.pem,c.key"]],
    };

    public static readonly Setting<string?> UnknownSni = new("unknown-sni", SettingScope.Both, new ChoiceType("default", "refuse"), "must be default or refuse",
        "What a client asking for a host name no --sni covers gets: default (the --cert certificate) or refuse (handshake refused).")
    {
        InvalidTexts = ["ignore"],
        Default = "default",
        Samples = ["refuse", "default", "refuse"],
    };

    public static readonly Setting<string?> ClientCert = new("client-cert", SettingScope.Both, new ChoiceType("off", "allow", "require"), "must be off, allow or require",
        "Client certificates (mutual TLS): off, allow (asked for, optional) or require. Needs --client-ca; clientAuth usage is enforced.")
    {
        InvalidTexts = ["maybe"],
        Default = "off",
        Samples = ["allow", "require", "off"],
    };

    public static readonly Setting<string[]> ClientCa = PathListSetting("client-ca", "CA certificate file(s) that client certificates must chain to; repeat for several.");

    public static readonly BooleanSetting Watch = new("watch", SettingScope.Both, "Watch the certificate files for renewals.")
    {
        InvalidTexts = ["maybe"],
        Default = true,
        OffFlag = "--no-watch",
        OffDescription = "Do not watch the certificate files for renewals (SIGHUP still reloads). roost run never watches them: reload after renewing.",
        Samples = [false, true, false],
    };

    public static readonly BooleanSetting Ocsp = new("ocsp", SettingScope.Both, "Staple an OCSP response when the certificate names a responder.")
    {
        InvalidTexts = ["maybe"],
        Default = true,
        OffFlag = "--no-ocsp",
        OffDescription = "Never contact the CA's OCSP responder (air-gapped hosts): no OCSP staple is sent. Default: stapled when the certificate names a responder.",
        Samples = [false, true, false],
    };

    public static readonly BooleanSetting SessionTickets = new("session-tickets", SettingScope.Both, "Issue TLS session tickets sealed with keys every worker shares, so returning clients resume on any worker.")
    {
        InvalidTexts = ["maybe"],
        Default = true,
        OffFlag = "--no-session-tickets",
        OffDescription = "Issue no TLS session tickets: sessions then resume only on the worker that made them (its session cache).",
        Samples = [false, true, false],
    };

    public static readonly Setting<string?> TicketKeyRotation = new("ticket-key-rotation", SettingScope.Both, new TextType(acceptNumbers: true, DurationSchema), "must be a duration such as 90s, 30m, 12h or 1d (a plain number means seconds)",
        "How often the primary makes a new session ticket key (the two previous ones still open tickets; a session resumes for two intervals): 90s, 30m, 12h, 1d.")
    {
        InvalidTexts = ["soon", "0"],
        Default = "12h",
        IsValid = value => ServeRecycleOptions.TryParseDuration(value!) is not null,
        OptionMessage = raw => ErrorMessages.DurationInvalid("--ticket-key-rotation", raw),
        Samples = ["6h", "30m", "1d"],
    };

    public static readonly Setting<string?> TicketKeyFile = PathSetting("ticket-key-file",
        "Session ticket keys shared with other machines behind one load balancer: one base64 80-byte key per line, the first encrypts; mode 0600. Read at start and on each reload; no rotation by Roost. Default: keys made in memory.");

    public static readonly Setting<long?> MaxRequests = new("max-requests", SettingScope.Both, new OptionalLongType(1), "must be a whole number of requests from 1 up",
        "Recycle a worker after it has served this many requests (successor ready first, then it drains). Default: off.")
    {
        InvalidTexts = ["0", "-5", "many"],
        DefaultDescription = "off",
        IsValid = value => value >= 1,
        OptionMessage = raw => ErrorMessages.FlagNotPositive("--max-requests", raw, "requests"),
        Samples = [10000, 500, 20000],
    };

    public static readonly Setting<int> MaxRequestsJitter = new("max-requests-jitter", SettingScope.Both, new IntegerType(0, int.MaxValue), "must be a whole number from 0 up",
        "Add a random 0..N to each worker's --max-requests, so workers do not recycle together.")
    {
        InvalidTexts = ["-1"],
        Default = 0,
        IsValid = value => value >= 0,
        OptionMessage = raw => ErrorMessages.FlagNegative("--max-requests-jitter", raw),
        Requires = MaxRequests,
        Samples = [100, 50, 200],
    };

    public static readonly Setting<long?> MaxMemory = new("max-memory", SettingScope.Both, new OptionalLongType(1), "must be a whole number of MB from 1 up",
        "Recycle a worker whose resident memory (RSS) is above this many MB. Default: off.")
    {
        InvalidTexts = ["0"],
        DefaultDescription = "off",
        IsValid = value => value >= 1,
        OptionMessage = raw => ErrorMessages.FlagNotPositive("--max-memory", raw, "MB"),
        Samples = [300, 512, 1024],
    };

    public static readonly Setting<string?> MaxAge = new("max-age", SettingScope.Both, new TextType(acceptNumbers: true, DurationSchema), "must be a duration such as 90s, 30m, 12h or 1d (a plain number means seconds)",
        "Recycle a worker after it has run this long: 90s, 30m, 12h, 1d (a plain number means seconds). Default: off.")
    {
        InvalidTexts = ["soon", "0"],
        DefaultDescription = "off",
        IsValid = value => ServeRecycleOptions.TryParseDuration(value!) is not null,
        OptionMessage = raw => ErrorMessages.DurationInvalid("--max-age", raw),
        Samples = ["12h", "30m", "1d"],
    };

    public static readonly Setting<string?> MaxAgeJitter = new("max-age-jitter", SettingScope.Both, new TextType(acceptNumbers: true, DurationSchema), "must be a duration such as 90s, 30m, 12h or 1d (a plain number means seconds), or 0",
        "Add a random 0..D to each worker's --max-age, so workers started together do not recycle together. Default: a tenth of --max-age; 0 turns it off.")
    {
        InvalidTexts = ["soon"],
        DefaultDescription = "a tenth of max-age",
        IsValid = value => ServeRecycleOptions.TryParseJitter(value!) is not null,
        OptionMessage = raw => ErrorMessages.DurationInvalid("--max-age-jitter", raw),
        Requires = MaxAge,
        Samples = ["30m", "0", "5m"],
    };

    public static readonly Setting<int> ReloadBatchSize = new("reload-batch-size", SettingScope.Both, new IntegerType(1, 1024), "must be a whole number of workers from 1 to 1024",
        "Workers a rolling reload (SIGHUP) replaces at a time, each after its successor is ready.")
    {
        InvalidTexts = ["0", "1025"],
        Default = 1,
        IsValid = value => value is >= 1 and <= 1024,
        OptionMessage = raw => ErrorMessages.FlagNotPositive("--reload-batch-size", raw, "workers"),
        Samples = [2, 3, 1],
    };

    public static readonly Setting<string[]> Domain = new("domain", SettingScope.Both, new TextListType(), "must be a list of DNS names (no wildcards, no IP addresses)",
        "Obtain and renew the certificate for this name automatically from an ACME CA (Let's Encrypt by default); repeat for several names on one certificate. Needs --acme-agree-tos. Instead of --cert/--key/--pfx. See docs/acme.md.")
    {
        InvalidTexts = ["*.example.com", "127.0.0.1"],
        Default = [],
        IsValid = names => names.All(AcmeSettings.IsValidName),
        Samples = [["example.com"], ["example.com", "www.example.com"], ["api.example.org"]],
    };

    public static readonly Setting<string?> AcmeEmail = new("acme-email", SettingScope.Both, new TextType(), "must be an e-mail address",
        "Contact e-mail of the ACME account (the CA writes about expiring certificates and policy changes). Default: none.")
    {
        InvalidTexts = ["nobody"],
        DefaultDescription = "none",
        IsValid = email => email!.Contains('@', StringComparison.Ordinal) && !email.Contains(' ', StringComparison.Ordinal),
        Samples = ["ops@example.com", "admin@example.org", "tls@example.net"],
    };

    public static readonly BooleanSetting AcmeAgreeTos = new("acme-agree-tos", SettingScope.Both,
        "Agree to the ACME CA's terms of service (Let's Encrypt: https://letsencrypt.org/repository/). Required with --domain: Roost does not agree for you.")
    {
        InvalidTexts = ["maybe"],
        Default = false,
        OnFlag = "--acme-agree-tos",
        OffFlag = "--no-acme-agree-tos",
        OffDescription = "Do not agree to the CA's terms of service (then --domain cannot order certificates).",
        Samples = [true, false, true],
    };

    public static readonly Setting<string?> AcmeCa = new("acme-ca", SettingScope.Both, new TextType(), "must be letsencrypt, letsencrypt-staging or an https:// ACME directory URL",
        "ACME CA: letsencrypt, letsencrypt-staging (untrusted certificates, for trying things out) or the https:// URL of any ACME directory.")
    {
        InvalidTexts = ["http://ca.test/dir", "nope"],
        Default = "letsencrypt",
        IsValid = value => AcmeSettings.IsValidDirectory(value!),
        Samples = ["letsencrypt-staging", "https://ca.example.com/directory", "letsencrypt"],
    };

    public static readonly Setting<string?> AcmeCaCert = new("acme-ca-cert", SettingScope.Both, new TextType(), "must be a file path",
        "PEM file with the CA certificate(s) the ACME server's own HTTPS certificate chains to, instead of the system's trust store (a private or test CA). Default: the system's.")
    {
        DefaultDescription = "the system's",
        RelativeTo = RelativeToFolder,
        Samples = ["ca/root.pem", "pebble.pem", "/etc/roost/acme-ca.pem"],
    };

    public static readonly Setting<int> AcmeHttpPort = new("acme-http-port", SettingScope.Both, new IntegerType(0, 65535), "must be a port from 0 to 65535 (0 turns the listener off)",
        "Port of the HTTP listener that answers ACME HTTP-01 challenges and redirects every other request to HTTPS (the CA connects to port 80: use another port only behind a forward). 0 turns it off.")
    {
        InvalidTexts = ["70000", "-1"],
        Default = 80,
        IsValid = port => port is >= 0 and <= 65535,
        Samples = [8080, 0, 80],
    };

    public static readonly Setting<string?> AcmeKeyType = new("acme-key-type", SettingScope.Both, new ChoiceType("ec256", "rsa2048"), "must be ec256 or rsa2048",
        "Key of the certificates ordered: ec256 (EC P-256, small and fast) or rsa2048 (for clients without ECDSA).")
    {
        InvalidTexts = ["dsa"],
        Default = "ec256",
        Samples = ["rsa2048", "ec256", "rsa2048"],
    };

    public static readonly Setting<string?> AcmeChallenge = new("acme-challenge", SettingScope.Both, new ChoiceType("auto", "http-01", "tls-alpn-01"), "must be auto, http-01 or tls-alpn-01",
        "How the CA checks that this host answers for the names: http-01 (the --acme-http-port listener), tls-alpn-01 (acme-tls/1 on the serving port: for hosts that expose only 443) or auto (http-01, then tls-alpn-01 at once if the CA cannot validate over http-01; tls-alpn-01 alone when --acme-http-port is 0).")
    {
        InvalidTexts = ["dns-01"],
        Default = "auto",
        Samples = ["tls-alpn-01", "http-01", "auto"],
    };

    public static readonly Setting<string?> AcmeFallback = new("acme-fallback", SettingScope.Both, new ChoiceType("none", "dev"), "must be none or dev",
        "What is served at first start while no certificate has been issued yet: none (nothing: roost waits for the certificate before it opens the port) or dev (the development chain, untrusted by browsers, swapped for the issued certificate without a restart).")
    {
        InvalidTexts = ["self-signed"],
        Default = "none",
        Samples = ["dev", "none", "dev"],
    };

    public static readonly Setting<string?> AcmeDir = new("acme-dir", SettingScope.Both, new TextType(), "must be a folder",
        "Folder of the ACME account, certificates and keys (0700 folders, 0600 keys), reused across restarts.")
    {
        DefaultDescription = "~/.local/share/roost/acme (as root: /var/lib/roost/acme)",
        RelativeTo = RelativeToFolder,
        Samples = ["acme", "/var/lib/roost/acme", "state/acme"],
    };

    public static readonly Setting<string?> Admin = new("admin", SettingScope.Both, new TextType(acceptNumbers: true), "must be PORT, HOST:PORT or [IPv6]:PORT with a port from 0 to 65535",
        "Admin listener in the primary (metrics at /metrics, the dashboard): PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT. Any address other than loopback needs --admin-token. Plain HTTP unless --admin-cert and --admin-key are given. See docs/metrics.md.")
    {
        InvalidTexts = ["70000", "example.com:9090", "nine"],
        DefaultDescription = "off",
        IsValid = value => AdminEndPoint.TryParse(value!, out _),
        OptionMessage = ServeErrorMessages.AdminInvalid,
        Samples = ["9090", "127.0.0.1:9091", "[::1]:9092"],
    };

    public static readonly Setting<string?> AdminCert = PathSetting("admin-cert", "Certificate file (PEM; may hold the chain after the leaf) for the admin listener: it then speaks HTTPS (HTTP/1.1 and h2), and the file is read again when it changes. With --admin-key.");

    public static readonly Setting<string?> AdminKey = PathSetting("admin-key", "Private key file (PEM or DER, not encrypted) of --admin-cert.");

    public static readonly Setting<string?> AdminToken = new("admin-token", SettingScope.Both, new TextType(), $"must be at least {ClusterAdminOptions.MinimumTokenLength} characters without white space",
        $"Bearer token every admin request must send (Authorization: Bearer TOKEN); required when --admin is not loopback. At least {ClusterAdminOptions.MinimumTokenLength} characters (openssl rand -hex 16). Prefer ROOST_ADMIN_TOKEN: arguments are visible in ps.")
    {
        Secret = true,
        IsValid = token => token!.Length >= ClusterAdminOptions.MinimumTokenLength && !token.Any(char.IsWhiteSpace),
        Samples = ["0123456789abcdef0123", "fedcba9876543210fedc", "a1b2c3d4e5f6a7b8c9d0"],
    };

    public static readonly BooleanSetting Metrics = new("metrics", SettingScope.Both,
        "Count requests, connections, TLS handshakes and runtime figures in every worker for roost top, the admin listener and /metrics (a shared-memory block per worker, no traffic per request).")
    {
        InvalidTexts = ["sometimes"],
        Default = true,
        OnFlag = "--metrics",
        OffFlag = "--no-metrics",
        OffDescription = "Count nothing in the workers (roost top and /metrics then show only processes and supervision).",
        Samples = [false, true, false],
    };

    public static readonly Setting<string?> Otlp = new("otlp", SettingScope.Both, new TextType(), "must be an http:// or https:// URL",
        "Export metrics over OTLP to this OpenTelemetry collector: every worker its own (service.instance.id per worker), the primary its supervision counters. Port 4317: gRPC; else HTTP (http://collector:4318). See docs/metrics.md.")
    {
        InvalidTexts = ["collector:4318", "ftp://x"],
        DefaultDescription = "off",
        IsValid = value => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps),
        OptionMessage = raw => $"--otlp must be an http:// or https:// URL of an OpenTelemetry collector, such as http://127.0.0.1:4318; got '{raw}'.",
        Samples = ["http://127.0.0.1:4318", "http://collector:4317", "https://otel.example.com/v1/metrics"],
    };

    /// <summary>Gets every setting, in the order of --help, <c>config show</c> and the docs.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        App, Port, Host, Workers, State, ShutdownTimeout, BootTimeout, LogFormat, Name, RunDir, User, Group, HotSpare, Root, MaxBodySize,
        Http2StreamResetBurst, Http2StreamResetsPerSecond, Http2MaxContinuationFrames, Http2GoAwayGrace,
        Cert, Key, Ca, Pfx, Passphrase, TlsPolicy, Sni, UnknownSni, ClientCert, ClientCa, Watch, Ocsp,
        SessionTickets, TicketKeyRotation, TicketKeyFile,
        Domain, AcmeEmail, AcmeAgreeTos, AcmeCa, AcmeCaCert, AcmeHttpPort, AcmeChallenge, AcmeFallback, AcmeKeyType, AcmeDir,
        MaxRequests, MaxRequestsJitter, MaxMemory, MaxAge, MaxAgeJitter, ReloadBatchSize, Admin, AdminToken, AdminCert, AdminKey, Metrics, Otlp,
    ];

    /// <summary>Gets the settings of one command, in <see cref="All"/>'s order.</summary>
    public static IReadOnlyList<Setting> For(SettingScope command) => [.. All.Where(s => s.AppliesTo(command))];

    /// <summary>Finds a setting by its file key.</summary>
    public static Setting? Find(string key) => All.FirstOrDefault(s => s.Key == key);

    private static Setting<string?> PathSetting(string key, string description) => new(key, SettingScope.Both, new TextType(), "must be a file path", description)
    {
        RelativeTo = RelativeToFolder,
        Samples = [$"a/{key}.pem", $"b/{key}.pem", $"/etc/roost/{key}.pem"],
    };

    private static Setting<string[]> PathListSetting(string key, string description) => new(key, SettingScope.Both, new TextListType(), "must be a list of file paths", description)
    {
        Default = [],
        RelativeTo = (files, folder) => [.. files.Select(file => Path.Combine(folder, file))],
        Samples = [["a.pem"], ["b.pem", "c.pem"], ["/etc/roost/d.pem"]],
    };

    /// <summary>redis://user:secret@host → redis://user:********@host (config show).</summary>
    private static string MaskUrlPassword(string value)
    {
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        var at = value.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return value;
        }

        var userInfo = value[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? value : value[..(scheme + 3)] + userInfo[..(colon + 1)] + ConfigCommand.Masked + value[at..];
    }

    private static string? RelativeToFolder(string? path, string folder) => path is null ? null : Path.Combine(folder, path);

    /// <summary>Whether <paramref name="entry"/> has the shape HOST=CERT,KEY[,CA...] (the files are checked when loaded).</summary>
    private static bool IsSniEntry(string entry)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && entry[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length >= 2;
    }

    /// <summary>HOST=CERT,KEY[,CA...]: the files relative to <paramref name="folder"/>.</summary>
    private static string SniRelativeTo(string entry, string folder)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return entry;
        }

        var files = entry[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries).Select(file => file.Length == 0 ? file : Path.Combine(folder, file));
        return entry[..(equals + 1)] + string.Join(',', files);
    }

    private static void WorkersSchema(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("anyOf");
        writer.WriteStartObject();
        writer.WriteString("const", "auto");
        writer.WriteEndObject();
        writer.WriteStartObject();
        writer.WriteString("type", "integer");
        writer.WriteNumber("minimum", 0);
        writer.WriteNumber("maximum", 1024);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void SizeSchema(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("anyOf");
        writer.WriteStartObject();
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^\\s*[0-9]+[kKmMgG]?\\s*$");
        writer.WriteEndObject();
        writer.WriteStartObject();
        writer.WriteString("type", "integer");
        writer.WriteNumber("minimum", 0);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void DurationSchema(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("anyOf");
        writer.WriteStartObject();
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^\\s*[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)?\\s*$");
        writer.WriteEndObject();
        writer.WriteStartObject();
        writer.WriteString("type", "number");
        writer.WriteNumber("minimum", 0);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}
