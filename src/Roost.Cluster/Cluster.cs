using System.Net;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.InWorker;
using Roost.Clustering.Internal.Supervision;
using Roost.Server.Internal;

namespace Roost;

/// <summary>
/// Node's <c>cluster</c> module for .NET: the primary forks workers that run the same program from its first line;
/// servers a worker creates with <see cref="Http"/>, <see cref="Https"/> or <see cref="Http2"/> listen on sockets
/// the primary owns, so every worker serves the same port.
/// </summary>
/// <remarks>
/// <para>By default a worker that exits is gone, as in Node. <c>Cluster.SetupPrimary(new ClusterOptions { RespawnWorkers = true })</c>
/// turns on managed mode: respawn with exponential backoff and jitter, boot failures stop the cluster, a crash loop
/// gives up, hung workers (missed heartbeats) are replaced.</para>
/// <para>SIGINT/SIGTERM on the primary stop the cluster gracefully: every worker closes its servers (HTTP/2 GOAWAY,
/// HTTP/1.1 <c>Connection: close</c>), in-flight requests get <see cref="ClusterOptions.DrainTimeout"/>, then the
/// primary exits 0; a second signal kills the workers at once. If the primary dies, even by SIGKILL, workers notice
/// (closed IPC channel, PR_SET_PDEATHSIG), drain and exit.</para>
/// <para>The primary process stays alive while it has workers (or a respawn is pending), so <c>Main</c> may return
/// after forking, as a Node program's top level does.</para>
/// </remarks>
public static partial class Cluster
{
    private static readonly Lock Gate = new();
    private static Supervisor? _supervisor;

    /// <summary>Occurs in the primary when a worker was started (Node's <c>fork</c>).</summary>
    public static event EventHandler<ClusterWorkerEventArgs>? WorkerForked;

    /// <summary>Occurs in the primary when a worker's runtime is up (Node's <c>online</c>).</summary>
    public static event EventHandler<ClusterWorkerEventArgs>? WorkerOnline;

    /// <summary>Occurs in the primary when a server in a worker accepts connections (Node's <c>listening</c>); the first one makes the worker ready.</summary>
    public static event EventHandler<WorkerListeningEventArgs>? WorkerListening;

    /// <summary>Occurs in the primary when a worker sends a message (Node's <c>message</c>).</summary>
    public static event EventHandler<WorkerMessageEventArgs>? MessageReceived;

    /// <summary>Occurs in the primary when a worker's IPC channel closed (Node's <c>disconnect</c>).</summary>
    public static event EventHandler<ClusterWorkerEventArgs>? WorkerDisconnected;

    /// <summary>Occurs in the primary when a worker process exited (Node's <c>exit (worker, code, signal)</c>).</summary>
    public static event EventHandler<WorkerExitedEventArgs>? WorkerExited;

    /// <summary>Gets a value indicating whether this process is a worker started by <see cref="Fork"/>.</summary>
    /// <remarks>Reading it in a worker starts the worker runtime (IPC, heartbeats, shared listening).</remarks>
    public static bool IsWorker => WorkerRuntime.Current is not null;

    /// <summary>Gets a value indicating whether this process is the primary (not started by <see cref="Fork"/>).</summary>
    public static bool IsPrimary => !IsWorker;

    /// <summary>Gets this worker in a worker process (Node's <c>cluster.worker</c>); <see langword="null"/> in the primary.</summary>
    public static ClusterWorker? Worker => WorkerRuntime.Current?.Self;

    /// <summary>Gets the live workers by id, in the primary (Node's <c>cluster.workers</c>); empty in a worker.</summary>
    public static IReadOnlyDictionary<int, ClusterWorker> Workers
    {
        get
        {
            lock (Gate)
            {
                return _supervisor?.Workers ?? new Dictionary<int, ClusterWorker>();
            }
        }
    }

    /// <summary>Gets the settings in effect, in the primary.</summary>
    public static ClusterOptions Settings => Supervisor.Options;

    /// <summary>Sets the primary's settings (Node's <c>cluster.setupPrimary</c>); call it before the first <see cref="Fork"/>.</summary>
    /// <param name="options">The settings; copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="InvalidOptionsException">A setting is out of range (<see cref="ClusterOptions.Validate"/>: every problem, one line each).</exception>
    /// <exception cref="InvalidOperationException">Workers were already forked, or this is a worker.</exception>
    public static void SetupPrimary(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfWorker();
        options.Validate();

        lock (Gate)
        {
            if (_supervisor is { HasForked: true })
            {
                throw new InvalidOperationException(ClusterErrorMessages.SetupAfterFork());
            }

            _supervisor = CreateSupervisor(options);
        }
    }

    /// <summary>Starts a worker: the same program, from its first line, with <see cref="IsWorker"/> true (Node's <c>cluster.fork</c>).</summary>
    /// <param name="environment">Extra environment variables for the worker (a <see langword="null"/> value removes one).</param>
    /// <returns>
    /// The worker, already started. Once the cluster is stopping or has stopped (a signal, <see cref="StopAsync"/>, a boot
    /// failure, a crash loop), nothing is started and the worker returned is already dead (<see cref="ClusterWorker.IsDead"/>,
    /// <see cref="ClusterWorker.Pid"/> 0, no events): a fork loop that races the stop does not crash the program, and
    /// <see cref="WaitForExitAsync"/> gives the cluster's exit code.
    /// </returns>
    /// <exception cref="InvalidOperationException">This is a worker.</exception>
    public static ClusterWorker Fork(IReadOnlyDictionary<string, string?>? environment = null)
    {
        ThrowIfWorker();
        return Supervisor.Fork(environment);
    }

    /// <summary>
    /// Binds <paramref name="endPoint"/> in the primary now, before any worker starts (workers inherit the socket):
    /// bind errors surface in the primary, and the port stays open for the primary's whole life.
    /// </summary>
    /// <param name="endPoint">The end point; port 0 picks a free port shared by all workers.</param>
    /// <returns>The bound end point (with the real port).</returns>
    /// <exception cref="System.Net.Sockets.SocketException">The end point cannot be bound.</exception>
    /// <exception cref="InvalidOperationException">Workers were already forked, or this is a worker.</exception>
    public static IPEndPoint Listen(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ThrowIfWorker();
        return Supervisor.Listen(endPoint);
    }

    /// <summary>Stops the cluster gracefully, as SIGTERM does: workers drain, then the returned task completes with the exit code.</summary>
    /// <param name="cancellationToken">Stops waiting (the stop continues).</param>
    /// <returns>The primary's exit code (see <see cref="ClusterExitCodes"/>).</returns>
    public static Task<int> StopAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfWorker();
        Supervisor.RequestStop();
        return Supervisor.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Replaces every worker without dropping a request, as SIGHUP to the primary does: one at a time, a new worker
    /// (next generation, the program as it is on disk now) starts and only when it listens is the old one told to
    /// drain. If a new worker exits or does not listen within <see cref="ClusterOptions.BootTimeout"/>, the reload
    /// aborts and the old generation keeps serving.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the reload continues).</param>
    /// <returns>The outcome; <see cref="ReloadResult.Message"/> says why an aborted reload stopped.</returns>
    public static Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfWorker();
        return Supervisor.ReloadAsync().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Changes the number of workers while serving (<c>roost scale N</c>). Scaling up starts workers in free slots and
    /// counts them once they listen; scaling down drains the workers in the highest slots through the same path as a
    /// rolling reload (keep-alive drain window, HTTP/2 GOAWAY, in-flight requests finish within
    /// <see cref="ClusterOptions.DrainTimeout"/>). The new count is the one respawns keep. One operation at a time:
    /// while a reload or another scale runs the answer is <see cref="ScaleOutcome.Busy"/>.
    /// </summary>
    /// <param name="workers">The worker count wanted: 1 to 1024.</param>
    /// <param name="cancellationToken">Stops waiting (the scale continues).</param>
    /// <returns>The outcome; <see cref="ScaleResult.Message"/> says why it did not happen.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is below 1 or above 1024.</exception>
    public static Task<ScaleResult> ScaleAsync(int workers, CancellationToken cancellationToken = default)
    {
        ThrowIfWorker();
        if (workers is < 1 or > Supervisor.MaxWorkers)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, ClusterErrorMessages.ScaleOutOfRange(workers, Supervisor.MaxWorkers));
        }

        return Supervisor.ScaleAsync(workers, null).WaitAsync(cancellationToken);
    }

    /// <summary>Completes when the cluster has stopped (signal, <see cref="StopAsync"/>, boot failure, crash loop) with the exit code.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The primary's exit code (see <see cref="ClusterExitCodes"/>).</returns>
    public static Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfWorker();
        return Supervisor.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Gets the control server's instance name and socket path, once it listens (roost serve prints them).</summary>
    internal static (string Name, string SocketPath)? ControlSocket
    {
        get
        {
            lock (Gate)
            {
                return _supervisor?.Control is { } control ? (control.Name, control.SocketPath) : null;
            }
        }
    }

    /// <summary>Opens the control socket of <see cref="ClusterOptions.ControlSocket"/> now instead of at the first fork.</summary>
    /// <exception cref="InvalidOperationException">Another live primary uses the same name, or the socket cannot be created.</exception>
    internal static void OpenControlSocket() => Supervisor.OpenControlSocket();

    /// <summary>Starts the admin listener now (the CLI, before binding the serving port) when it is configured.</summary>
    internal static void OpenAdminListener() => Supervisor.OpenAdminListener();

    /// <summary>Gets the admin listener once it runs.</summary>
    internal static Clustering.Internal.Admin.AdminListener? AdminListener => Supervisor.Admin;

    /// <summary>A snapshot of the instance's metrics (workers, totals, last supervision events).</summary>
    internal static Task<Clustering.Internal.Metrics.MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken = default) => Supervisor.GetMetricsAsync(cancellationToken);

    /// <summary>Closes the control socket opened by <see cref="OpenControlSocket"/> when the primary gives up before forking.</summary>
    internal static void CloseControlSocket() => Supervisor.Control?.Dispose();

    /// <summary>
    /// Makes <see cref="Console.Out"/> and <see cref="Console.Error"/> line-atomic now, before a logger captures them
    /// (the primary installs them when it is set up, which is after <c>roost</c> creates its logger).
    /// </summary>
    internal static void UseLineAtomicConsole() => LineAtomicWriter.InstallForConsole();

    /// <summary>
    /// Gives SIGINT its default action back when the process inherited it as ignored (<c>cmd &amp;</c> in a script), so
    /// that the graceful stop on Ctrl+C works; <c>roost</c> calls it first thing in <c>Main</c> (docs/deploy.md, "Signals").
    /// </summary>
    internal static void TakeInheritedInterrupt() => InheritedSignals.ResetIgnoredInterrupt();

    private static Supervisor Supervisor
    {
        get
        {
            lock (Gate)
            {
                return _supervisor ??= CreateSupervisor(new ClusterOptions());
            }
        }
    }

    private static Supervisor CreateSupervisor(ClusterOptions options)
    {
        // The primary's lines share stdout and stderr with its workers' (docs/cluster.md, "Logging").
        LineAtomicWriter.InstallForConsole();
        var supervisor = new Supervisor(options);
        // Each application subscriber separately (EventInvoker): one that throws does not keep the event from the
        // others; the supervisor logs the failure with the event and the worker (docs/cluster.md, "Events").
        supervisor.WorkerForked += (s, e) => EventInvoker.InvokeEach(WorkerForked, s, e);
        supervisor.WorkerOnline += (s, e) => EventInvoker.InvokeEach(WorkerOnline, s, e);
        supervisor.WorkerListening += (s, e) => EventInvoker.InvokeEach(WorkerListening, s, e);
        supervisor.MessageReceived += (s, e) => EventInvoker.InvokeEach(MessageReceived, s, e);
        supervisor.WorkerDisconnected += (s, e) => EventInvoker.InvokeEach(WorkerDisconnected, s, e);
        supervisor.WorkerExited += (s, e) => EventInvoker.InvokeEach(WorkerExited, s, e);
        return supervisor;
    }

    private static void ThrowIfWorker()
    {
        if (IsWorker)
        {
            throw new InvalidOperationException(ClusterErrorMessages.ForkInWorker());
        }
    }
}
