using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Roost.Clustering.Internal.InWorker;

namespace Roost.StartupHook.Internal;

/// <summary>The hook's work once Roost's assemblies resolve: read the primary's configuration, start the worker runtime, watch for the host.</summary>
internal static class HookEntry
{
    /// <summary>Exit code when the hook cannot set the worker up (Roost's "application load failed").</summary>
    public const int LoadFailedExitCode = 4;

    // Kept for the process's life: an unreferenced registration is collected and unregistered.
    private static PosixSignalRegistration? _hangup;

    /// <summary>Sets the worker up.</summary>
    /// <param name="hook">The hook's own path (as in <c>DOTNET_STARTUP_HOOKS</c>), removed from the variable for the app's children.</param>
    public static void Run(string hook)
    {
        var json = Environment.GetEnvironmentVariable(RunWorkerConfig.EnvironmentVariable);

        // The app's own child processes (a `dotnet` tool it runs, say) must not load the hook or see Roost's settings;
        // other startup hooks (an APM agent's) stay.
        Environment.SetEnvironmentVariable(RunWorkerConfig.StartupHooksVariable, RunWorkerConfig.WithoutHook(
            Environment.GetEnvironmentVariable(RunWorkerConfig.StartupHooksVariable), hook));
        Environment.SetEnvironmentVariable(RunWorkerConfig.EnvironmentVariable, null);
        if (json is null)
        {
            // Loaded by hand, outside `roost run`: say so once and leave the app alone.
            Console.Error.WriteLine(HookErrorMessages.NotStartedByRoost());
            return;
        }

        try
        {
            var config = RunWorkerConfig.Parse(json);
            var runtime = WorkerRuntime.Current ?? throw new InvalidOperationException(HookErrorMessages.NoWorkerEnvironment());
            var listeners = InheritedListeners(runtime);
            if (listeners.Count == 0)
            {
                throw new InvalidOperationException(HookErrorMessages.NoListeners());
            }

            HostBuildingObserver.Start(new RunServices(config, runtime, listeners));

            // SIGHUP means "rolling reload" to the primary; a worker that gets it too (sent to the process group, or
            // a terminal hang-up) must not die of it (its default action), as `roost serve` workers do not.
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, static context => context.Cancel = true);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or SocketException or FormatException or NotSupportedException)
        {
            // The process boundary of the hook: one clear line, then a boot failure the primary reports.
            Console.Error.WriteLine(HookErrorMessages.HookFailed(ex.Message));
            Environment.Exit(LoadFailedExitCode);
        }
    }

    private static List<RunListener> InheritedListeners(WorkerRuntime runtime)
    {
        var result = new List<RunListener>();
        foreach (var key in runtime.InheritedEndPoints)
        {
            var requested = IPEndPoint.Parse(key);

            // Inherited descriptors answer synchronously (no IPC round trip).
            var handle = runtime.GetHandleAsync(requested, CancellationToken.None).AsTask().GetAwaiter().GetResult()
                ?? throw new InvalidOperationException(HookErrorMessages.NoListeners());
            result.Add(new RunListener(requested, handle, LocalEndPoint(handle) ?? requested));
        }

        return result;
    }

    private static IPEndPoint? LocalEndPoint(ulong handle)
    {
        // Hand-off tokens are not descriptors; they stand for the requested end point.
        if (handle > int.MaxValue / 2)
        {
            return null;
        }

        using var socket = new Socket(new SafeSocketHandle((IntPtr)(long)handle, ownsHandle: false));
        return socket.LocalEndPoint as IPEndPoint;
    }
}

/// <summary>One listening socket the worker serves: the end point the primary bound, its descriptor (or hand-off token) and the real address.</summary>
internal sealed record RunListener(IPEndPoint Requested, ulong Handle, IPEndPoint Local);
