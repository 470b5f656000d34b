using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Internal;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// The primary of <c>roost serve --workers N|auto</c>: checks the certificate and binds the port before any worker
/// starts (a worker is never the first to find bad configuration), then forks the workers in managed mode (respawn
/// with backoff, boot failures fatal, crash-loop guard) and waits until the cluster stops.
/// </summary>
internal static class ServeCluster
{
    public static Option<string> CreateWorkersOption()
    {
        var option = new Option<string>("--workers", "-w")
        {
            Description = "Worker processes: a number, 'auto' (one per CPU) or 0 (serve in this process, no cluster). Workers are restarted with backoff when they crash.",
            DefaultValueFactory = _ => "auto",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!TryResolveWorkers(value, out _))
            {
                result.AddError($"--workers must be 'auto' or a number from 0 to 1024; got '{value}'.");
            }
        });
        return option;
    }

    public static int ResolveWorkers(string value) => TryResolveWorkers(value, out var count) ? count : 0;

    public static async Task<int> RunPrimaryAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        using var loggerFactory = Logging.Create(settings.LogFormat);
        DevelopmentCertificateFiles? development;
        try
        {
            // Load and check the certificate here once; the workers load the same files.
            SecureServerOptions options;
            (options, development) = settings.Tls.ToServerOptions();
            using var check = Http2.CreateSecureServer(options, static (_, res) => res.End()).Certificate;
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
            DrainTimeout = settings.ShutdownTimeout,
            LoggerFactory = loggerFactory,
        };
        (settings.Recycle ?? RecycleSettings.Off).ApplyTo(clusterOptions);
        Cluster.SetupPrimary(clusterOptions);

        var requested = new IPEndPoint(address, settings.Port);
        IPEndPoint bound;
        try
        {
            bound = Cluster.Listen(requested);
        }
        catch (SocketException ex)
        {
            return ServeCommand.Fail(ListenErrors.Translate(ex, HttpServer.Describe(requested), settings.Port, " with --port").Message, ExitCodes.ListenFailed);
        }

        for (var i = 0; i < settings.Workers; i++)
        {
            Cluster.Fork();
        }

        ServeCommand.PrintBanner(bound.Port, "h2, http/1.1", settings, development);
        var code = await Cluster.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return code switch
        {
            ClusterExitCodes.Ok => ExitCodes.Ok,
            ClusterExitCodes.WorkerBootFailed => ExitCodes.WorkerBootFailed,
            ClusterExitCodes.WorkersCrashLooping => ExitCodes.WorkersCrashLooping,
            _ => code,
        };
    }

    private static bool TryResolveWorkers(string? value, out int count)
    {
        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase))
        {
            count = Environment.ProcessorCount;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count <= 1024;
    }

    private static bool TryParseHost(string host, out IPAddress address)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(host, out address!);
    }
}
