using System.Runtime.InteropServices;

namespace Roost.Server.Internal;

/// <summary>
/// SIGINT and SIGTERM close every listening server gracefully; a second signal is left to the default action
/// (the process ends at once). Signals are process-wide, so this is the one process-wide registry of the library.
/// </summary>
/// <remarks>The signal callback only records the signal and queues the work; nothing is logged or awaited in it.</remarks>
internal static class ProcessSignals
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<HttpServer> Servers = [];
    private static PosixSignalRegistration? _sigint;
    private static PosixSignalRegistration? _sigterm;
    private static int _signals;

    public static void Register(HttpServer server)
    {
        lock (Gate)
        {
            Servers.Add(server);
            // Also when inherited as ignored (a script's `cmd &` ignores SIGINT): a server asked to handle them does.
            _sigint ??= InheritedSignals.Register(PosixSignal.SIGINT, OnSignal, out _);
            _sigterm ??= InheritedSignals.Register(PosixSignal.SIGTERM, OnSignal, out _);
        }
    }

    public static void Unregister(HttpServer server)
    {
        lock (Gate)
        {
            if (!Servers.Remove(server) || Servers.Count > 0)
            {
                return;
            }

            // No server left: give the signals their default meaning back.
            _sigint?.Dispose();
            _sigterm?.Dispose();
            (_sigint, _sigterm) = (null, null);
            _signals = 0;
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // Second signal: let the runtime terminate the process.
            return;
        }

        context.Cancel = true;
        HttpServer[] servers;
        lock (Gate)
        {
            servers = [.. Servers];
        }

        ThreadPool.UnsafeQueueUserWorkItem(static list =>
        {
            foreach (var server in list)
            {
                server.OnShutdownSignal();
            }
        }, servers, preferLocal: false);
    }
}
