using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// What the primaries of <c>roost serve --workers N</c> (<see cref="ServeCluster"/>) and <c>roost run</c>
/// (<see cref="RunCluster"/>) share: the settings they read the same way, the control socket and the port opened before
/// any worker starts, and waiting for the cluster with its exit code mapped to the command's.
/// </summary>
internal static class ServeAndRun
{
    /// <summary>What bind errors add to "choose another port": the command line's own advice (the library's errors have none).</summary>
    internal const string PortHint = " with --port ('roost status --list' lists the Roost instances running as this user)";

    /// <summary>
    /// The bind error of a server that listened itself (one process, <c>--workers 0</c>) with <see cref="PortHint"/>
    /// added, as the primary's own bind errors (<see cref="ListenInPrimary"/>) have it.
    /// </summary>
    internal static ListenException WithPortHint(ListenException error, string host, int port) =>
        error.InnerException is { } cause && TryParseHost(host, out var address)
            ? ListenException.FromBindFailure(cause, new IPEndPoint(address, port), PortHint)
            : error;

    /// <summary>
    /// The control socket (named by --name, else the port) and recycling settings, <see cref="Cluster.SetupPrimary"/>, then
    /// the control socket opened before the port is bound — with reuseport a second primary on the same port would
    /// otherwise join the port's group.
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
        if (AdminTls(settings, out var adminTlsError) is { } adminTls)
        {
            options.Admin.Tls = adminTls;
        }
        else if (adminTlsError is not null)
        {
            return CommandErrors.Fail(adminTlsError, ExitCodes.InvalidUsage);
        }

        try
        {
            // Every setting checked before anything starts (an admin listener open to the network without a token
            // is never started), each problem on its own line.
            Cluster.SetupPrimary(options);
        }
        catch (InvalidOptionsException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.InvalidUsage);
        }
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
            return CommandErrors.Fail(ex.Message, ExitCodes.ListenFailed);
        }

        return OpenAdmin();
    }

    /// <summary>The admin listener's certificate from --admin-cert and --admin-key; <see langword="null"/> with no error: plain HTTP.</summary>
    private static CertificateSource? AdminTls(ServeSettings settings, out string? error)
    {
        error = (settings.AdminCert, settings.AdminKey, settings.Admin) switch
        {
            (null, null, _) => null,
            ({ } cert, null, _) => ServeErrorMessages.AdminTlsIncomplete("--admin-cert", "--admin-key", cert),
            (null, { } key, _) => ServeErrorMessages.AdminTlsIncomplete("--admin-key", "--admin-cert", key),
            (_, _, null) => ServeErrorMessages.AdminTlsWithoutAdmin(),
            _ => null,
        };
        if (error is not null || settings.AdminCert is null || settings.AdminKey is null)
        {
            return null;
        }

        var source = CertificateSource.FromPemFiles(settings.AdminCert, settings.AdminKey);
        source.Names = new TlsOptionNames("--admin-cert", "--admin-key", "--admin-cert", "--admin-cert", "--admin-key");
        return source;
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
            return CommandErrors.Fail(ex.Message, ExitCodes.ListenFailed);
        }

        if (Cluster.AdminListener is { } admin)
        {
            Console.WriteLine($"Admin listener {admin.Url} (dashboard: /, metrics: /metrics)");
        }

        return null;
    }

    /// <summary>
    /// Binds the port in the primary (once, for its whole life); on failure closes the control socket and returns the
    /// exit code after printing which address was busy or refused and what to do.
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
            return CommandErrors.Fail(ListenException.FromBindFailure(ex, requested, PortHint).Message, ExitCodes.ListenFailed);
        }
    }

    /// <summary>
    /// Prints how to reach the control socket (both commands open one), then waits until the cluster stops and returns
    /// its exit code as the command's (<see cref="ExitCodes"/>).
    /// </summary>
    internal static async Task<int> WaitForClusterAsync(ServeSettings settings)
    {
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

    public static int ResolveWorkers(string value) => TryResolveWorkers(value, out var count) ? count : 0;

    /// <summary>Resolves the workers setting: auto (one per CPU) or 0..<see cref="ClusterOptions.MaxWorkers"/>.</summary>
    internal static bool TryResolveWorkers(string? value, out int count)
    {
        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase))
        {
            count = Environment.ProcessorCount;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count <= ClusterOptions.MaxWorkers;
    }

    /// <summary>Parses <c>--host</c> for a primary: an IP address, or <c>localhost</c> (the IPv4 loopback).</summary>
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
