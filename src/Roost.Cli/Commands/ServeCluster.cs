using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Acme;
using Roost.Cli.Welcome;
using Roost.Internal;
using Roost.Internal.Control;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// The primary of <c>roost serve --workers N|auto</c>: checks the certificate and binds the port before any worker
/// starts (a worker is never the first to find bad configuration), then forks the workers in managed mode (respawn
/// with backoff, boot failures fatal, crash-loop guard) and waits until the cluster stops.
/// </summary>
internal static class ServeCluster
{
    /// <summary>
    /// Binds the port in the primary (once, for its whole life); on failure closes the control socket and returns the
    /// exit code after printing which address was busy or refused and what to do. Shared by <c>serve</c> and <c>run</c>.
    /// </summary>
    internal static int? ListenInPrimary(IPEndPoint requested, out IPEndPoint bound)
    {
        try
        {
            bound = Cluster.Listen(requested);
            return null;
        }
        catch (SocketException ex)
        {
            Cluster.CloseControlSocket();
            bound = requested;
            return ServeCommand.Fail(ListenErrors.Translate(ex, requested, EndPointText.Describe(requested), ServeCommand.PortHint).Message, ExitCodes.ListenFailed);
        }
    }

    /// <summary>
    /// The part <c>roost serve</c> and <c>roost run</c> share: control socket (named by --name, else the port) and recycling
    /// settings, <see cref="Cluster.SetupPrimary"/>, then the control socket opened before the port is bound — with
    /// reuseport a second primary on the same port would otherwise join the port's group.
    /// </summary>
    /// <returns><see langword="null"/> when set up; otherwise the exit code after the error was printed.</returns>
    internal static int? SetupPrimaryWithControl(ClusterOptions options, ServeSettings settings)
    {
        options.ControlSocket = true;
        options.Name = settings.Name ?? (settings.Port != 0 ? settings.Port.ToString(CultureInfo.InvariantCulture) : null);
        options.RunDirectory = settings.RunDirectory;
        (settings.Recycle ?? RecycleSettings.Off).ApplyTo(options);
        options.CollectMetrics = settings.Metrics;
        options.OtlpEndpoint = settings.Otlp;
        options.Admin.EndPoint = settings.Admin;
        options.Admin.BearerToken = settings.AdminToken;
        if (options.Admin.Validate() is { Count: > 0 } adminProblems)
        {
            // Checked before anything starts: an admin listener open to the network without a token is never started.
            return ServeCommand.Fail(string.Join(Environment.NewLine + "error: ", adminProblems), ExitCodes.InvalidUsage);
        }

        Cluster.SetupPrimary(options);
        if (settings.Port == 0 && settings.Name is null && settings.RunDirectory is null)
        {
            return OpenAdmin();
        }

        try
        {
            Cluster.OpenControlSocket();
        }
        catch (InvalidOperationException ex)
        {
            return ServeCommand.Fail(ex.Message, ExitCodes.ListenFailed);
        }

        return OpenAdmin();
    }

    /// <summary>Starts the admin listener (when --admin is set) before the serving port is bound and any worker starts.</summary>
    private static int? OpenAdmin()
    {
        try
        {
            Cluster.OpenAdminListener();
        }
        catch (InvalidOperationException ex)
        {
            Cluster.CloseControlSocket();
            return ServeCommand.Fail(ex.Message, ExitCodes.ListenFailed);
        }

        if (Cluster.AdminListener is { } admin)
        {
            Console.WriteLine($"Admin listener http://{EndPointText.Describe(admin.EndPoint)}/ (dashboard: /, metrics: /metrics)");
        }

        return null;
    }

    public static int ResolveWorkers(string value) => TryResolveWorkers(value, out var count) ? count : 0;

    public static async Task<int> RunPrimaryAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        if (WorkerUserSetup.Resolve(settings, out var user) is { } userRefused)
        {
            return userRefused;
        }

        using var loggerFactory = Logging.CreateForPrimary(settings.LogFormat);

        // --domain: the primary obtains the certificate before any worker starts, then renews it; the workers load
        // the files it writes (and swap renewed ones through their certificate watchers).
        AcmeCertificateManager? acme = null;
        if (settings.Acme is not null)
        {
            (acme, var acmeFailed) = await ServeAcme.StartAsync(settings, loggerFactory, cancellationToken).ConfigureAwait(false);
            if (acmeFailed is { } acmeCode)
            {
                return acmeCode;
            }
        }

        await using var acmeScope = acme;
        settings = ServeAcme.WithManagedFiles(settings);
        DevelopmentCertificateFiles? development;
        SecureServerOptions options;
        try
        {
            // Load and check the certificates here once, without building a server (no Kestrel, TLS contexts or file
            // watchers in the primary, which serves nothing); the workers load the same files (with --user: the
            // primary reads them and sends them, WorkerUserSetup).
            (options, development) = settings.Tls.ToServerOptions();
            CertificateStore.Check(options);
        }
        catch (CertificateLoadException ex)
        {
            return ServeCommand.Fail(ex.Message, ExitCodes.CertificateInvalid);
        }

        if (!TryParseHost(settings.Host, out var address))
        {
            return ServeCommand.Fail(ErrorMessages.HostInvalid(settings.Host), ExitCodes.InvalidUsage);
        }

        var clusterOptions = new ClusterOptions
        {
            RespawnWorkers = true,
            HotSpares = settings.HotSpare ? 1 : 0,
            DrainTimeout = settings.ShutdownTimeout,
            LoggerFactory = loggerFactory,
        };
        settings.Tls.ApplyTicketKeys(clusterOptions);

        // The dashboard shows the certificates served (the primary re-reads them when their files change).
        clusterOptions.Admin.Certificates["default"] = options.Tls;
        foreach (var (host, source) in options.SniCertificates)
        {
            clusterOptions.Admin.Certificates[host] = source;
        }
        IEnumerable<WorkerUserSetup.Needed> needed = WorkerUserSetup.Program(settings);
        if (settings.Root is not null)
        {
            needed = needed.Append(new WorkerUserSetup.Needed(Path.GetFullPath(settings.Root), "the --root folder", Folder: true));
        }

        if (WorkerUserSetup.Apply(clusterOptions, user, options, settings.Tls.Watch, needed) is { } refused)
        {
            return refused;
        }

        if (clusterOptions.WorkerUser is not null && development is not null)
        {
            // Workers (HOME is the user's) name the development chain's files as the primary does; the primary sends them.
            Environment.SetEnvironmentVariable("ROOST_DEV_CERT_DIR", development.Directory);
        }

        if (SetupPrimaryWithControl(clusterOptions, settings) is { } failed)
        {
            return failed;
        }

        if (ListenInPrimary(new IPEndPoint(address, settings.Port), out var bound) is { } listenFailed)
        {
            return listenFailed;
        }

        // The welcome page's HTTP/1.1-only comparison port (Welcome/WelcomeComparison.cs), bound here like the main one.
        var comparisonPort = 0;
        var forkEnvironment = settings.Root is null ? WelcomeComparison.BindInPrimary(address, loggerFactory, out comparisonPort) : null;
        try
        {
            // The first fork opens the control socket: a live primary of the same name fails here, before any worker.
            for (var i = 0; i < settings.Workers; i++)
            {
                Cluster.Fork(forkEnvironment);
            }
        }
        catch (InvalidOperationException ex) when (!Cluster.Workers.Any())
        {
            return ServeCommand.Fail(ex.Message, ExitCodes.ListenFailed);
        }

        ServeCommand.PrintBanner(bound.Port, "h2, http/1.1", settings, development);
        if (comparisonPort != 0)
        {
            Console.WriteLine($"The welcome page's HTTP/1.1-only comparison port: {comparisonPort}.");
        }

        if (Cluster.ControlSocket is { } control)
        {
            var target = settings.RunDirectory is null ? $"--name {control.Name}" : $"--run-dir {Path.GetDirectoryName(control.SocketPath)}";
            Console.WriteLine($"Control socket {control.SocketPath}: roost status|reload|scale|stop {target}");
        }
        var code = await Cluster.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return code switch
        {
            ClusterExitCodes.Ok => ExitCodes.Ok,
            ClusterExitCodes.WorkerBootFailed => ExitCodes.WorkerBootFailed,
            ClusterExitCodes.WorkersCrashLooping => ExitCodes.WorkersCrashLooping,
            _ => code,
        };
    }

    /// <summary>Resolves the workers setting: auto (one per CPU) or 0..1024.</summary>
    internal static bool TryResolveWorkers(string? value, out int count)
    {
        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase))
        {
            count = Environment.ProcessorCount;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count <= 1024;
    }

    /// <summary>Parses <c>--host</c> for a primary: an IP address, or <c>localhost</c> (the IPv4 loopback). Shared with <c>roost run</c>.</summary>
    internal static bool TryParseHost(string host, out IPAddress address)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(host, out address!);
    }
}
