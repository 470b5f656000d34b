using System.CommandLine;
using Microsoft.Extensions.Logging;
using Roost.Acme;
using Roost.Cli.Configuration;
using Roost.Cli.Files;
using Roost.Cli.Welcome;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary><c>roost serve</c>: HTTPS (h2 + HTTP/1.1) with the built-in welcome page or the files of <c>--root</c>, on the given or the development certificate.</summary>
internal static class ServeCommand
{
    /// <summary>The default port (HTTPS without root privileges).</summary>
    public const int DefaultPort = 8443;

    public static Command Create(SettingsEnvironment environment)
    {
        var settings = new SettingsBinder(SettingScope.Serve, environment);
        var command = new Command("serve", "Serve the built-in welcome page, or a folder's files (--root), over HTTPS with HTTP/2 and HTTP/1.1. Without --cert/--pfx a local development chain is created (once) and used. " + SettingsBinder.HelpText);
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(FromSettings(settings.Resolve(parse)), cancellationToken));
        return command;
    }

    /// <summary>The settings of <c>roost serve</c> from the effective settings.</summary>
    internal static ServeSettings FromSettings(EffectiveSettings settings) => new(
        settings.Get(RoostSettings.Port),
        settings.Get(RoostSettings.Host)!,
        TlsSettings.From(settings),
        TimeSpan.FromSeconds(settings.Get(RoostSettings.ShutdownTimeout)),
        settings.Get(RoostSettings.LogFormat)!,
        ServeAndRun.ResolveWorkers(settings.Get(RoostSettings.Workers)!),
        RecycleSettings.From(settings),
        settings.Get(RoostSettings.Name),
        settings.Get(RoostSettings.RunDir),
        settings.Command == SettingScope.Serve && settings.Get(RoostSettings.HotSpare),
        settings.Command == SettingScope.Serve ? settings.Get(RoostSettings.Root) : null)
    {
        MaxBodySize = MaxBodySizeOption.TryParse(settings.Get(RoostSettings.MaxBodySize), out var size) ? size : MaxBodySizeOption.Default,
        MaxBodySizeGiven = settings.SourceOf(RoostSettings.MaxBodySize).Kind != SettingSourceKind.Default,
        Http2 = Http2GuardSettings.From(settings),
        User = settings.Get(RoostSettings.User),
        Group = settings.Get(RoostSettings.Group),
        ConfigFile = settings.ConfigFileFullPath,
        Acme = ServeAcme.From(settings),
        Admin = settings.Get(RoostSettings.Admin) is { } admin && AdminEndPoint.TryParse(admin, out var adminEndPoint) ? adminEndPoint : null,
        AdminToken = settings.Get(RoostSettings.AdminToken),
        AdminCert = settings.Get(RoostSettings.AdminCert),
        AdminKey = settings.Get(RoostSettings.AdminKey),
        Metrics = settings.Get(RoostSettings.Metrics),
        Otlp = settings.Get(RoostSettings.Otlp) is { } otlp ? new Uri(otlp) : null,
    };

    internal static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        // --root is checked before anything starts: in the primary before any worker, in a worker again (cheap).
        string? root = null;
        if (settings.Root is not null && !StaticSite.TryResolveRoot(settings.Root, out root, out var rootError))
        {
            return CommandErrors.Fail(rootError, ExitCodes.InvalidUsage);
        }

        if (settings.User is not null && settings.Workers == 0)
        {
            return CommandErrors.Fail(CliPrivilegeMessages.NeedsWorkers(settings.User), ExitCodes.InvalidUsage);
        }

        if (ServeAcme.Validate(settings) is { } acmeError)
        {
            return CommandErrors.Fail(acmeError, ExitCodes.InvalidUsage);
        }

        if ((settings.AdminCert ?? settings.AdminKey) is not null && settings.Admin is null)
        {
            return CommandErrors.Fail(ServeErrorMessages.AdminTlsWithoutAdmin(), ExitCodes.InvalidUsage);
        }

        if (settings.Admin is not null && settings.Workers == 0 && Cluster.IsPrimary)
        {
            return CommandErrors.Fail(ServeErrorMessages.AdminWithoutWorkers(), ExitCodes.InvalidUsage);
        }

        // Clustered: this process is the primary (binds the port, supervises) unless it is one of its workers,
        // which run the single-process path below on the socket the primary owns.
        if (settings.Workers > 0 && Cluster.IsPrimary)
        {
            return await ServeCluster.RunPrimaryAsync(settings, cancellationToken).ConfigureAwait(false);
        }

        return await ServeAsync(settings, root, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Serves in this process (no cluster, or as a worker). A method of its own so that a primary, which never gets
    /// here, does not load Kestrel's types when <see cref="RunAsync"/> is compiled.
    /// </summary>
    private static async Task<int> ServeAsync(ServeSettings settings, string? root, CancellationToken cancellationToken)
    {
        using var loggerFactory = Logging.Create(settings.LogFormat);
        var logger = loggerFactory.CreateLogger("Roost.Cli");

        // --domain in one process: this process obtains and renews the certificate; the server loads its files.
        AcmeCertificateManager? acme = null;
        if (settings.Acme is not null && !Cluster.IsWorker)
        {
            (acme, var failed) = await ServeAcme.StartAsync(settings, loggerFactory, cancellationToken).ConfigureAwait(false);
            if (failed is { } code)
            {
                return code;
            }
        }

        await using var acmeScope = acme;
        settings = ServeAcme.WithManagedFiles(settings);

        SecureServerOptions options;
        DevelopmentCertificateFiles? development = null;
        try
        {
            (options, development) = settings.Tls.ToServerOptions();
        }
        catch (CertificateLoadException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.CertificateInvalid);
        }
        catch (ArgumentException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.InvalidUsage);
        }

        options.AllowHttp1 = true;
        options.ShutdownTimeout = settings.ShutdownTimeout;
        options.Limits.MaxRequestBodySize = settings.MaxBodySize;
        settings.Http2?.ApplyTo(options.Http2);
        options.LoggerFactory = loggerFactory;

        HttpServer server;
        var welcome = root is null ? WelcomePage.Load() : null;
        try
        {
            server = welcome is not null
                ? Http2.CreateSecureServer(options, welcome.HandleAsync)
                : Http2.CreateSecureServer(options, new StaticSite(root!, loggerFactory).HandleAsync);
        }
        catch (CertificateLoadException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.CertificateInvalid);
        }
        catch (InvalidOptionsException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.InvalidUsage);
        }

        await using (server.ConfigureAwait(false))
        {
            try
            {
                await server.ListenAsync(settings.Port, settings.Host, cancellationToken).ConfigureAwait(false);
            }
            catch (ListenException ex)
            {
                return CommandErrors.Fail(ServeAndRun.WithPortHint(ex, settings.Host, settings.Port).Message, ExitCodes.ListenFailed);
            }
            catch (ArgumentException ex)
            {
                return CommandErrors.Fail(ex.Message, ExitCodes.InvalidUsage);
            }

            // The welcome page's HTTP/1.1-only comparison port, opened after the main port so a worker reports ready
            // (and a hot spare waits) on the main one.
            var comparison = welcome is not null
                ? await WelcomeComparison.ListenAsync(welcome, settings, loggerFactory, cancellationToken).ConfigureAwait(false)
                : null;
            try
            {
                if (!Cluster.IsWorker)
                {
                    PrintBanner(server.Port, server.Protocols, settings, development);
                    if (comparison is not null)
                    {
                        Console.WriteLine($"The welcome page's HTTP/1.1-only comparison port: {comparison.Port}.");
                    }
                }

                await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                if (comparison is not null)
                {
                    await comparison.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        CliLog.Stopped(logger);
        return ExitCodes.Ok;
    }

    internal static void PrintBanner(int port, string protocols, ServeSettings settings, DevelopmentCertificateFiles? development)
    {
        var displayHost = settings.Host is "0.0.0.0" or "::" ? "localhost" : settings.Host.Contains(':', StringComparison.Ordinal) ? $"[{settings.Host}]" : settings.Host;
        var url = $"https://{displayHost}:{port}/";
        var workers = settings.Workers > 0 ? $" with {settings.Workers} worker(s)" : string.Empty;
        Console.WriteLine($"Roost is serving {url} ({protocols}) as pid {Environment.ProcessId}{workers}. Press Ctrl+C to stop.");
        if (settings.Root is not null)
        {
            Console.WriteLine($"Files from '{settings.Root}' (index.html for folders; no listings).");
        }

        if (development is null)
        {
            return;
        }

        Console.WriteLine(development.Created
            ? $"Created a development certificate chain in {development.Directory}"
            : $"Using the development certificate chain in {development.Directory}");
        Console.WriteLine($"  Trust its root to connect without warnings (it is valid only on this machine):");
        Console.WriteLine($"    curl:    curl --cacert {development.RootPath} {url}");
        Console.WriteLine($"    Debian:  sudo cp {development.RootPath} /usr/local/share/ca-certificates/roost-dev-root.crt && sudo update-ca-certificates");
        Console.WriteLine($"    Chrome/Chromium: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n roost-dev -i {development.RootPath}");
        Console.WriteLine($"    Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import {development.RootPath}");
        Console.WriteLine($"    macOS:   sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {development.RootPath}");
    }
}

/// <summary>The parsed settings of <c>roost serve</c> (Workers: worker processes of a managed cluster; 0 serves in this process).</summary>
/// <remarks>Name and RunDirectory address the primary's control socket (clustered only). Root: the folder of <c>--root</c> as given, or <see langword="null"/> for the welcome page.</remarks>
internal sealed record ServeSettings(int Port, string Host, TlsSettings Tls, TimeSpan ShutdownTimeout, string LogFormat, int Workers = 0, RecycleSettings? Recycle = null, string? Name = null, string? RunDirectory = null, bool HotSpare = true, string? Root = null)
{
    /// <summary>Gets the largest request body accepted, in bytes (<c>--max-body-size</c>); <see langword="null"/> for no limit.</summary>
    public long? MaxBodySize { get; init; } = MaxBodySizeOption.Default;

    /// <summary>
    /// Gets a value indicating whether <c>--max-body-size</c> was given (option, environment or file): <c>roost run</c>
    /// applies it only then, and otherwise leaves the app's Kestrel limit (its own setting, or Kestrel's 30 MB).
    /// </summary>
    public bool MaxBodySizeGiven { get; init; }

    /// <summary>Gets the HTTP/2 flood limits (<c>--http2-*</c>), or <see langword="null"/> for <see cref="Http2Options"/>' defaults.</summary>
    public Http2GuardSettings? Http2 { get; init; }

    /// <summary>Gets the user the workers run as (<c>--user</c>), or <see langword="null"/> for roost's own user.</summary>
    public string? User { get; init; }

    /// <summary>Gets the workers' group (<c>--group</c>, with <see cref="User"/>), or <see langword="null"/> for the user's own.</summary>
    public string? Group { get; init; }

    /// <summary>Gets the configuration file the settings came from (absolute), or <see langword="null"/>: workers read it again, so a worker's user must be able to.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Gets the automatic certificate settings (<c>--domain</c>), or <see langword="null"/> for certificate files.</summary>
    public AcmeSettings? Acme { get; init; }

    /// <summary>Gets the admin listener's end point (<c>--admin</c>); <see langword="null"/>: off.</summary>
    public System.Net.IPEndPoint? Admin { get; init; }

    /// <summary>Gets the admin listener's bearer token (<c>--admin-token</c>).</summary>
    public string? AdminToken { get; init; }

    /// <summary>Gets the admin listener's certificate file (<c>--admin-cert</c>); <see langword="null"/>: plain HTTP.</summary>
    public string? AdminCert { get; init; }

    /// <summary>Gets the admin listener's private key file (<c>--admin-key</c>).</summary>
    public string? AdminKey { get; init; }

    /// <summary>Gets a value indicating whether workers count metrics (<c>--metrics</c>).</summary>
    public bool Metrics { get; init; } = true;

    /// <summary>Gets the OTLP collector (<c>--otlp</c>); <see langword="null"/>: no export.</summary>
    public Uri? Otlp { get; init; }
}
