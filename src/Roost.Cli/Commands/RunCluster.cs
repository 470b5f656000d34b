using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Roost.Acme;
using Roost.SharedState;
using Roost.StartupHook;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// The primary of <c>roost run</c>. Before any worker starts it (1) resolves and checks the app, (2) finds the startup
/// hook, (3) loads and checks the certificate, (4) prepares the shared state store and key ring, (5) binds the port;
/// then it starts the workers as <c>dotnet app.dll</c> in the app's folder with <c>DOTNET_STARTUP_HOOKS</c> and the
/// worker environment, in managed mode (respawn, boot failures fatal, crash-loop guard, SIGHUP rolling reload).
/// Every start reads the app from disk again, so a reload serves a newly published build.
/// </summary>
internal static class RunCluster
{
    /// <summary>The hook's file name, next to roost.dll.</summary>
    public const string HookFileName = RunWorkerConfig.HookFileName;

    /// <summary>The folder beside a native (NativeAOT) roost that holds the hook and the assemblies it loads.</summary>
    public const string NativeHookFolder = "hook";

    public static async Task<int> RunAsync(RunSettings run, CancellationToken cancellationToken)
    {
        var settings = run.Serve;
        if (WorkerUserSetup.Resolve(settings, out var user) is { } userRefused)
        {
            return userRefused;
        }

        RunApp app;
        try
        {
            app = RunApp.Resolve(run.App);
        }
        catch (RunAppException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.ApplicationLoadFailed);
        }

        var hook = FindHook(AppContext.BaseDirectory);
        if (!File.Exists(hook))
        {
            return CommandErrors.Fail(RunErrorMessages.HookMissing(hook), ExitCodes.ApplicationLoadFailed);
        }

        if (ServeAcme.Validate(settings) is { } acmeError)
        {
            return CommandErrors.Fail(acmeError, ExitCodes.InvalidUsage);
        }

        using var loggerFactory = Logging.CreateForPrimary(settings.LogFormat);
        var logger = loggerFactory.CreateLogger("Roost.Cli");

        // --domain: the primary obtains the certificate before any worker starts, then renews it; the workers load the
        // files it writes and watch them (RunWorkerConfig.RenewedByAcme), as roost serve's do.
        (var acme, settings, var acmeFailed) = await ServeAcme.StartInPrimaryAsync(settings, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (acmeFailed is { } acmeCode)
        {
            return acmeCode;
        }

        await using var acmeScope = acme;
        RunWorkerConfig config;
        DevelopmentCertificateFiles? development;
        try
        {
            (config, development) = TlsConfig(settings);
        }
        catch (CertificateLoadException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.CertificateInvalid);
        }
        catch (ArgumentException ex)
        {
            return CommandErrors.Fail(ex.Message, ExitCodes.InvalidUsage);
        }

        config = config with { DrainTimeoutMilliseconds = (long)settings.ShutdownTimeout.TotalMilliseconds };
        if (run.State is { } stateText)
        {
            SharedStateOptions state;
            try
            {
                state = StateOption.Parse(stateText);
            }
            catch (ArgumentException ex)
            {
                return CommandErrors.Fail(ex.Message, ExitCodes.InvalidUsage);
            }

            try
            {
                // The key ring exists before any worker starts (workers starting together on an empty ring would each make a key).
                await SharedStateSetup.PrepareAsync(state, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SharedStateUnavailableException or TimeoutException)
            {
                return CommandErrors.Fail(RunErrorMessages.StateUnavailable(stateText, ex.Message), ExitCodes.Error);
            }

            config = config with { StateDirectory = state.Redis is null ? state.Directory : null, StateRedis = state.Redis };
        }

        if (!ServeAndRun.TryParseHost(settings.Host, out var address))
        {
            return CommandErrors.Fail(ErrorMessages.HostInvalid(settings.Host), ExitCodes.InvalidUsage);
        }

        var json = config.ToJson();
        var dotnet = DotnetHost();
        var clusterOptions = new ClusterOptions
        {
            RespawnWorkers = true,
            DrainTimeout = settings.ShutdownTimeout,
            BootTimeout = run.BootTimeout,
            LoggerFactory = loggerFactory,

            // The startup hook does not implement the spare's wait-before-listening yet: no hot spare under roost run.
            HotSpares = 0,

            // One socket per worker slot: the kernel spreads connections, a replaced worker's queue waits for its successor.
            ListenerSharing = ListenerSharingMode.ReusePort,
            WorkerStartInfo = () => WorkerStartInfo(dotnet, app, hook, json),
        };
        settings.Tls.ApplyTicketKeys(clusterOptions);
        if (PrepareWorkerUser(clusterOptions, user, config, app, hook, dotnet) is { } refused)
        {
            return refused;
        }

        if (ServeAndRun.SetupPrimaryWithControl(clusterOptions, settings) is { } failed)
        {
            return failed;
        }

        if (ServeAndRun.ListenInPrimary(new IPEndPoint(address, settings.Port), out var bound) is { } listenFailed)
        {
            return listenFailed;
        }

        logger.LogInformation("roost run: starting {Workers} worker(s) of {App} (in {Folder})", settings.Workers, app.Dll, app.Folder);
        for (var i = 0; i < settings.Workers; i++)
        {
            Cluster.Fork();
        }

        ServeCommand.PrintBanner(bound.Port, "h2, http/1.1", settings, development);
        return await ServeAndRun.WaitForClusterAsync(settings).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>--user</c>: the user must reach the app, the hook and the dotnet host; the shared-state folder the primary
    /// prepared (as root) is handed to the user, whose workers write to it. The TLS files are the absolute paths the
    /// workers' configuration names. As without --user, roost run's workers get renewed files on a reload (SIGHUP,
    /// <c>roost reload --certs-only</c>), not from a watcher — except the managed certificate of --domain, whose
    /// renewals the primary pushes.
    /// </summary>
    private static int? PrepareWorkerUser(ClusterOptions options, WorkerUser? user, RunWorkerConfig config, RunApp app, string hook, string dotnet)
    {
        List<WorkerUserSetup.Needed> needed =
        [
            new(app.Folder, CliPrivilegeMessages.AppFolder, Folder: true),
            new(app.Dll, "the app's entry assembly", Folder: false),
            new(Path.ChangeExtension(app.Dll, ".runtimeconfig.json"), "the app's runtime configuration", Folder: false),
            new(hook, "roost's startup hook", Folder: false),
        ];
        if (Path.IsPathRooted(dotnet))
        {
            needed.Add(new(dotnet, "the dotnet host", Folder: false));
        }

        // The managed certificate of --domain is renewed in place: the primary pushes renewals to the user's workers.
        if (WorkerUserSetup.Apply(options, user, config.ToServerOptions(), watch: config.RenewedByAcme, needed) is { } refused)
        {
            return refused;
        }

        if (options.WorkerUser is not null && config.StateDirectory is { } state)
        {
            try
            {
                GiveStateTo(state, options.WorkerUser);
            }
            catch (IOException ex)
            {
                return CommandErrors.Fail(RunErrorMessages.StateUnavailable(state, ex.Message), ExitCodes.Error);
            }
        }

        return null;
    }

    /// <summary>The state folder, its files and its keys/ folder (what SharedStateSetup created as root) become the workers' user's.</summary>
    private static void GiveStateTo(string folder, WorkerUser user)
    {
        user.TakeOwnership(folder);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            user.TakeOwnership(entry);
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
            {
                foreach (var inner in Directory.EnumerateFiles(entry))
                {
                    user.TakeOwnership(inner);
                }
            }
        }
    }

    /// <summary>
    /// The startup hook: next to roost.dll in the JIT build; in <c>hook/</c> beside a native roost (the publish puts
    /// it there with Roost's assemblies, because the native image has no separate dlls for it to resolve).
    /// </summary>
    /// <returns>The path found, or the JIT location (for the error message) when neither exists.</returns>
    internal static string FindHook(string baseDirectory)
    {
        var beside = Path.Combine(baseDirectory, HookFileName);
        var native = Path.Combine(baseDirectory, NativeHookFolder, HookFileName);
        return !File.Exists(beside) && File.Exists(native) ? native : beside;
    }

    /// <summary>A worker: <c>dotnet app.dll</c> in the app's folder, with the hook (the supervisor adds the IPC and socket variables).</summary>
    internal static ProcessStartInfo WorkerStartInfo(string dotnet, RunApp app, string hook, string config)
    {
        var info = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            WorkingDirectory = app.Folder,
        };
        info.ArgumentList.Add(app.Dll);
        info.Environment[RunWorkerConfig.StartupHooksVariable] = RunWorkerConfig.WithHook(Environment.GetEnvironmentVariable(RunWorkerConfig.StartupHooksVariable), hook);
        info.Environment[RunWorkerConfig.EnvironmentVariable] = config;
        return info;
    }

    /// <summary>The TLS files for the workers, checked here once (absolute paths: workers run in the app's folder).</summary>
    private static (RunWorkerConfig Config, DevelopmentCertificateFiles? Development) TlsConfig(ServeSettings settings)
    {
        var (options, development) = settings.Tls.ToServerOptions();
        using (Http2.CreateSecureServer(options, static (_, res) => res.End()).Certificate)
        {
            // Loading is the check: a bad file throws CertificateLoadException naming it.
        }

        var tls = settings.Tls;
        var config = development is null
            ? new RunWorkerConfig { Cert = Full(tls.Cert), Key = Full(tls.Key), Ca = [.. tls.Ca.Select(Path.GetFullPath)], Pfx = Full(tls.Pfx), Passphrase = tls.Passphrase }
            : new RunWorkerConfig { Cert = development.CertPath, Key = development.KeyPath, Ca = [development.ChainPath, development.RootPath] };
        return (config with
        {
            Policy = tls.Policy,
            RefuseUnknownSni = tls.RefuseUnknownSni,
            ClientCertificateMode = tls.ClientCertificateMode,
            ClientCa = [.. tls.ClientCa.Select(Path.GetFullPath)],
            OcspStapling = tls.OcspStapling,
            SessionTickets = tls.SessionTickets,
            TicketKeyRotationSeconds = (long)tls.TicketKeyRotation.TotalSeconds,
            Sni = [.. tls.Sni.Select(Sni)],
            MaxBodySize = settings.MaxBodySizeGiven ? settings.MaxBodySize ?? 0 : null,
            RenewedByAcme = tls.RenewedByAcme,
            Http2StreamResetBurst = settings.Http2?.StreamResetBurst,
            Http2StreamResetsPerSecond = settings.Http2?.StreamResetsPerSecond,
            Http2MaxContinuationFrames = settings.Http2?.MaxContinuationFrames,
            Http2GoAwayGraceMilliseconds = settings.Http2 is { } http2 ? (long)http2.GoAwayGracePeriod.TotalMilliseconds : null,
        }, development);
    }

    private static RunSniConfig Sni(string value)
    {
        // Validated by ToServerOptions above (TlsSettings.ParseSni); here only split into absolute paths.
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        var files = value[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToArray();
        return new RunSniConfig(value[..equals], files[0], files[1], files[2..]);
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);

    /// <summary>The dotnet host that runs this CLI (so workers use the same runtime installation).</summary>
    private static string DotnetHost()
    {
        var processPath = Environment.ProcessPath;
        if (processPath is not null && string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot && File.Exists(Path.Combine(dotnetRoot, executable)))
        {
            return Path.Combine(dotnetRoot, executable);
        }

        // A native roost has no runtime folder of its own: the workers use the dotnet on PATH.
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            return "dotnet";
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, executable);
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
