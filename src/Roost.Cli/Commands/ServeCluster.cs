using System.Net;
using Roost.Acme;
using Roost.Cli.Welcome;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// The primary of <c>roost serve --workers N|auto</c>: checks the certificate and binds the port before any worker
/// starts (a worker is never the first to find bad configuration), then forks the workers in managed mode (respawn
/// with backoff, boot failures fatal, crash-loop guard) and waits until the cluster stops.
/// </summary>
internal static class ServeCluster
{
    public static async Task<int> RunPrimaryAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        if (WorkerUserSetup.Resolve(settings, out var user) is { } userRefused)
        {
            return userRefused;
        }

        using var loggerFactory = Logging.CreateForPrimary(settings.LogFormat);

        // --domain: the primary obtains the certificate before any worker starts, then renews it; the workers load
        // the files it writes (and swap renewed ones through their certificate watchers).
        (var acme, settings, var acmeFailed) = await ServeAcme.StartInPrimaryAsync(settings, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (acmeFailed is { } acmeCode)
        {
            return acmeCode;
        }

        await using var acmeScope = acme;
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
            return CommandErrors.Fail(ex.Message, ExitCodes.CertificateInvalid);
        }

        if (!ServeAndRun.TryParseHost(settings.Host, out var address))
        {
            return CommandErrors.Fail(ErrorMessages.HostInvalid(settings.Host), ExitCodes.InvalidUsage);
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

        if (ServeAndRun.SetupPrimaryWithControl(clusterOptions, settings) is { } failed)
        {
            return failed;
        }

        if (ServeAndRun.ListenInPrimary(new IPEndPoint(address, settings.Port), out var bound) is { } listenFailed)
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
            return CommandErrors.Fail(ex.Message, ExitCodes.ListenFailed);
        }

        ServeCommand.PrintBanner(bound.Port, "h2, http/1.1", settings, development);
        if (comparisonPort != 0)
        {
            Console.WriteLine($"The welcome page's HTTP/1.1-only comparison port: {comparisonPort}.");
        }

        return await ServeAndRun.WaitForClusterAsync(settings).ConfigureAwait(false);
    }
}
