using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// The cluster runtime inside a worker process: the IPC channel to the primary, heartbeats, listening through the
/// primary's sockets (<see cref="IListenHandleProvider"/>), and the drain when the primary asks or disappears.
/// </summary>
/// <remarks>
/// Startup (on first use of <see cref="Cluster"/>): (1) read and remove the ROOST_CLUSTER_* variables; (2) set
/// FD_CLOEXEC on the channel again so the application's own children do not inherit it; (3) ask for SIGUSR2 when
/// the primary dies (PR_SET_PDEATHSIG) and check the primary is still the parent; (4) start the reader, send
/// <c>online</c>, start heartbeats; (5) install the listen-handle provider; (6) in a worker started with --user, wait
/// for the TLS files from the primary (WorkerRuntime.TlsFiles.cs).
/// The primary being gone (end-of-file on the channel, or SIGUSR2) and a <c>stop</c> message take the same path:
/// close every server gracefully (in-flight requests get the drain timeout), then exit — no orphans.
/// </remarks>
internal sealed partial class WorkerRuntime : IListenHandleProvider
{
    private static readonly Lazy<WorkerRuntime?> Instance = new(Create);

    // After the servers closed, the program's own shutdown code gets this long before the process is ended.
    private static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LoadReportInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AcceptQueueWait = TimeSpan.FromSeconds(2);

    // Stands for "connections are handed over" where a descriptor number is expected.
    private const int HandoffInherited = -2;

    private readonly IpcChannel _channel;
    private readonly Dictionary<string, int> _inherited;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<int>> _pendingListens = new();
    // What draining closes: the façade's servers (also what `roost reload --certs-only` reloads, WorkerRuntime.Certificates.cs),
    // and the app's host under `roost run` (WorkerRuntime.Hosted.cs).
    private readonly List<HttpServer> _servers = [];
    private readonly List<Func<TimeSpan, CancellationToken, Task>> _hostDrains = [];
    // The reuseport sockets Kestrel accepts on: a draining worker empties their accept queues before it closes.
    private readonly ConcurrentDictionary<int, bool> _listenDescriptors = new();
    // Every descriptor the primary gave Kestrel, and Kestrel's listeners on them (DrainableListenerFactory).
    private readonly ConcurrentDictionary<int, bool> _kestrelDescriptors = new();
    private readonly ConcurrentBag<DrainableListener> _drainableListeners = [];
    private readonly Lock _gate = new();
    private readonly ILogger _logger = new StderrLogger(LogLevel.Warning);
    private readonly Dictionary<Type, Action<IpcMessage>> _dispatch;
    private readonly TimeSpan _heartbeatInterval;
    private readonly HandoffTransport _handoff = new();
    private Timer? _loadReports;
    private Timer? _backstop;
    private long _reportedClosed;
    private TimeSpan _drainTimeout;
    private TimeSpan _keepAliveWindow;
    private Timer? _heartbeat;
    private PosixSignalRegistration? _primaryGone;
    private PosixSignalRegistration? _hangup;
    private long _heartbeats;
    private RequestCounter? _requests;
    private IdleMemoryTrimmer? _trimmer;
    private int _nextRequestId;
    private int _draining;
    private bool _slotRemoved;
    private bool _successorReady;

    private WorkerRuntime(int id, int generation, IpcChannel channel, Dictionary<string, int> inherited, TimeSpan heartbeat, TimeSpan drain)
    {
        _channel = channel;
        _inherited = inherited;
        _heartbeatInterval = heartbeat;
        _drainTimeout = drain;
        Self = new ClusterWorker(id, Environment.ProcessId, generation, m => channel.Send(m));
        _dispatch = new()
        {
            [typeof(ListenResponseMessage)] = m => OnListenResponse((ListenResponseMessage)m),
            [typeof(StopMessage)] = m => OnStop((StopMessage)m),
            [typeof(UserMessage)] = m => OnUserMessage((UserMessage)m),
            [typeof(ConnectionMessage)] = m => OnConnection((ConnectionMessage)m),
            [typeof(BroadcastMessage)] = m => OnBroadcast((BroadcastMessage)m),
            [typeof(ReloadCertificatesMessage)] = m => _ = ReloadCertificatesAsync((ReloadCertificatesMessage)m),
            [typeof(PromoteMessage)] = m => OnPromote((PromoteMessage)m),
            [typeof(TicketKeysMessage)] = m => OnTicketKeys((TicketKeysMessage)m),
            [typeof(TlsFilesMessage)] = m => OnTlsFiles((TlsFilesMessage)m),
            [typeof(AcmeChallengeMessage)] = m => OnAcmeChallenge((AcmeChallengeMessage)m),
        };
    }

    /// <summary>Gets the runtime when this process is a worker, starting it on first use; otherwise <see langword="null"/>.</summary>
    public static WorkerRuntime? Current => Instance.Value;

    /// <summary>Gets this worker (Node's <c>cluster.worker</c>).</summary>
    public ClusterWorker Self { get; }

    public async ValueTask<ulong?> GetHandleAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var key = HttpServer.Describe(endPoint);
        if (_inherited.TryGetValue(key, out var inherited))
        {
            return inherited == HandoffInherited ? StartHandoff(key) : Track(inherited);
        }

        // Node's model: the worker asks, the primary binds (once per end point) and hands the socket over.
        var id = Interlocked.Increment(ref _nextRequestId);
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingListens[id] = answer;
        if (!_channel.Send(new ListenRequestMessage(id, endPoint.Address.ToString(), endPoint.Port)))
        {
            _pendingListens.TryRemove(id, out _);
            return null;
        }

        var handle = await answer.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (handle == HandoffInherited)
        {
            return StartHandoff(key);
        }

        // -1: the primary could not bind; binding here reports the same error as a ListenException.
        return handle >= 0 ? Track(handle) : null;
    }

    private ulong Track(int fd)
    {
        _kestrelDescriptors[fd] = true;
        if (Libc.IsReusePort(fd))
        {
            _listenDescriptors[fd] = true;
        }

        return (ulong)fd;
    }

    public void OnListening(HttpServer server, IPEndPoint endPoint)
    {
        lock (_gate)
        {
            _servers.Add(server);
        }

        _channel.Send(new ListeningMessage(endPoint.Address.ToString(), endPoint.Port));
        if (Volatile.Read(ref _draining) != 0)
        {
            _ = server.CloseAsync();
        }
    }

    public ILoggerFactory WrapLoggerFactory(ILoggerFactory factory) =>
        new WorkerLoggerFactory(factory, WorkerLoggerFactory.Prefix(Self.Id, Self.Pid, Self.Generation));

    public void ConfigureServices(IServiceCollection services)
    {
        // Kestrel tries the factories registered last first: hand-off tokens, then the primary's sockets, then its own.
        services.AddSingleton<IConnectionListenerFactory>(sp => new DrainableListenerFactory(
            new SocketTransportFactory(sp.GetRequiredService<IOptions<SocketTransportOptions>>(), sp.GetRequiredService<ILoggerFactory>()),
            endPoint => endPoint is FileHandleEndPoint handle && handle.FileHandle <= int.MaxValue && _kestrelDescriptors.ContainsKey((int)handle.FileHandle),
            _drainableListeners));
        services.AddSingleton<IConnectionListenerFactory>(sp => new HandoffListenerFactory(_handoff, sp.GetService<IMemoryPoolFactory<byte>>()));
    }

    /// <summary>Writes raw bytes on the channel (integration tests send malformed messages with it).</summary>
    internal void SendRawForTesting(ReadOnlySpan<byte> bytes) => _channel.SendRaw(bytes);

    private static WorkerRuntime? Create()
    {
        var idText = Environment.GetEnvironmentVariable(WorkerEnvironment.WorkerId);
        if (idText is null)
        {
            return null;
        }

        // Workers share the primary's stdout and stderr: every console line in one write, before any logger captures
        // Console.Out (docs/cluster.md, "Logging").
        LineAtomicWriter.InstallForConsole();
        var values = WorkerEnvironment.All.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        foreach (var name in WorkerEnvironment.All)
        {
            // Node deletes NODE_UNIQUE_ID too: the worker's own child processes are not workers.
            Environment.SetEnvironmentVariable(name, null);
        }

        var fd = Number(values[WorkerEnvironment.IpcHandle]);
        Libc.SetCloseOnExec(fd, true);
        var runtime = new WorkerRuntime(
            Number(idText),
            Number(values[WorkerEnvironment.Generation], 1),
            new IpcChannel(fd, Number(values[WorkerEnvironment.MaxMessageBytes], IpcCodec.DefaultMaxMessageBytes), "roost-ipc-primary"),
            ParseInherited(values[WorkerEnvironment.ListenHandles]),
            TimeSpan.FromMilliseconds(Number(values[WorkerEnvironment.HeartbeatMilliseconds], 5000)),
            TimeSpan.FromMilliseconds(Number(values[WorkerEnvironment.DrainMilliseconds], 30000)));
        runtime._keepAliveWindow = TimeSpan.FromMilliseconds(Number(values[WorkerEnvironment.KeepAliveDrainMilliseconds], 0));
        runtime.InitializeSpare(values[WorkerEnvironment.Spare] == "1");
        runtime.StartMetrics(values[WorkerEnvironment.MetricsFile]);
        runtime.StartOtlp(values[WorkerEnvironment.OtlpEndpoint], values[WorkerEnvironment.ServiceName], Number(values[WorkerEnvironment.PrimaryPid], 0));
        var tlsFromPrimary = values[WorkerEnvironment.TlsFilesFromPrimary] == "1";
        if (tlsFromPrimary)
        {
            runtime.ExpectTlsFilesFromPrimary();
        }

        runtime.Start(Number(values[WorkerEnvironment.PrimaryPid], 0));
        if (tlsFromPrimary)
        {
            // (6) Before the program builds its servers: the TLS files the primary sent right after the spawn.
            runtime.WaitForTlsFiles();
        }

        return runtime;
    }

    private void Start(int primaryPid)
    {
        _channel.MessageReceived += OnMessage;
        _channel.MessageRejected += (reason, length) => Log.MessageRejected(_logger, Self.Id, Self.Pid, Self.Generation, reason, length);
        _channel.Closed += () => BeginDrain(primaryGone: true);

        // SIGUSR2, not SIGTERM: the façade treats a second SIGTERM as "stop now", and end-of-file on the channel
        // arrives together with the death signal. Both take the one idempotent drain path.
        // SIGHUP means "rolling reload" to the primary. A worker gets it too when it is sent to the process group (a
        // closing terminal, `kill -HUP -<pgid>`, `timeout`): by default that would kill every worker at once.
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, static context => context.Cancel = true);
        _primaryGone = PosixSignalRegistration.Create((PosixSignal)Libc.SigUsr2, context =>
        {
            context.Cancel = true;
            ThreadPool.UnsafeQueueUserWorkItem(static r => r.BeginDrain(primaryGone: true), this, preferLocal: false);
        });
        _ = Libc.Prctl(Libc.PrSetPdeathsig, Libc.SigUsr2, 0, 0, 0);
        _channel.Start();
        if (primaryPid != 0 && Libc.GetParentPid() != primaryPid)
        {
            // The primary died between fork and prctl: the death signal will never come.
            BeginDrain(primaryGone: true);
        }

        _requests = new RequestCounter();
        _trimmer = IdleMemoryTrimmer.ForThisProcess();
        _channel.Send(new OnlineMessage(Environment.ProcessId));
        _heartbeat = new Timer(static s => ((WorkerRuntime)s!).SendHeartbeat(), this, _heartbeatInterval, _heartbeatInterval);
        ListenHandles.Provider = this;
    }

    private ulong StartHandoff(string endPoint)
    {
        // Report closed connections often enough for the primary's least-loaded choice to follow the load.
        _loadReports ??= new Timer(static s => ((WorkerRuntime)s!).ReportLoad(), this, LoadReportInterval, LoadReportInterval);
        return _handoff.Register(endPoint);
    }

    private void OnConnection(ConnectionMessage message)
    {
        var fd = _channel.TakeReceivedHandle();

        // Confirm before Kestrel can read from it: until this line reaches the primary, the primary keeps its copy and
        // hands the connection to another worker if this one dies first (see HandoffAcceptor).
        _channel.Send(new ConnectionReceivedMessage(message.EndPoint));
        _handoff.Deliver(message.EndPoint, fd);
    }

    private void ReportLoad()
    {
        var closed = _handoff.ClosedConnections;
        if (closed != Interlocked.Exchange(ref _reportedClosed, closed))
        {
            _channel.Send(new LoadMessage(closed));
        }
    }

    private void SendHeartbeat()
    {
        _channel.Send(new HeartbeatMessage(Interlocked.Increment(ref _heartbeats), _requests?.Requests ?? 0));
        _trimmer?.Tick();
    }

    private void OnMessage(IpcMessage message)
    {
        if (_dispatch.TryGetValue(message.GetType(), out var handler))
        {
            handler(message);
        }
        else
        {
            Log.UnexpectedMessage(_logger, message.GetType().Name, Self.Id, Self.Pid, Self.Generation);
        }
    }

    private void OnListenResponse(ListenResponseMessage response)
    {
        var handle = response.HasHandle ? _channel.TakeReceivedHandle() : response.Handoff ? HandoffInherited : -1;
        if (_pendingListens.TryRemove(response.RequestId, out var answer))
        {
            answer.TrySetResult(handle);
        }
        else if (handle >= 0)
        {
            _ = Libc.Close(handle);
        }
    }

    private void OnStop(StopMessage stop)
    {
        _drainTimeout = TimeSpan.FromMilliseconds(stop.DrainTimeoutMilliseconds);
        _slotRemoved = stop.SlotRemoved;
        _successorReady = stop.SuccessorReady;
        BeginDrain(primaryGone: false);
    }

    private void BeginDrain(bool primaryGone)
    {
        if (Interlocked.Exchange(ref _draining, 1) != 0)
        {
            return;
        }

        if (primaryGone)
        {
            Log.PrimaryGone(_logger, Self.Id, Self.Pid, Self.Generation, _drainTimeout);
        }

        _heartbeat?.Dispose();
        _loadReports?.Dispose();
        _meters?.MarkDrainStart();
        _ = DrainAsync(primaryGone);
    }

    private async Task DrainAsync(bool primaryGone)
    {
        Func<TimeSpan, CancellationToken, Task>[] drains;
        lock (_gate)
        {
            drains = [.. _servers.Select(s => (Func<TimeSpan, CancellationToken, Task>)s.DrainAsync), .. _hostDrains];
        }

        // Backstop: whatever the application does, the process ends shortly after the drain timeout. Kept in a
        // field: an unreferenced Timer can be collected before it fires.
        _backstop = new Timer(static _ => Environment.Exit(1), null, _drainTimeout + TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using var abort = new CancellationTokenSource(_drainTimeout);
        // Asked to stop (a reload or a stop): first the keep-alive window (Connection: close on each next answer);
        // the primary gone: close at once.
        var window = primaryGone ? TimeSpan.Zero : _keepAliveWindow;
        try
        {
            if (!primaryGone && _slotRemoved)
            {
                await EmptyAcceptQueuesAsync(abort.Token).ConfigureAwait(false);
            }
            else if (!primaryGone && _successorReady)
            {
                await Task.WhenAll(_drainableListeners.Select(l => l.StopAcceptingAsync().AsTask())).ConfigureAwait(false);
            }

            await Task.WhenAll(drains.Select(drain => drain(window, abort.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The drain timeout aborted what was left; the worker exits all the same.
        }

        await Task.Delay(drains.Length == 0 ? TimeSpan.Zero : ExitGrace).ConfigureAwait(false);
        _primaryGone?.Dispose();
        StopOtlp();
        Environment.Exit(0);
    }

    /// <summary>
    /// Before the servers stop accepting: wait (at most <see cref="AcceptQueueWait"/>) until no connection waits in the
    /// accept queue of this worker's reuseport sockets. The primary steers new connections away from a slot before it
    /// asks the slot's worker to stop (live scaling); whatever was queued on the slot's socket before that has no other
    /// acceptor and would wait there until the client gives up.
    /// </summary>
    private async Task EmptyAcceptQueuesAsync(CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)AcceptQueueWait.TotalMilliseconds;
        while (_listenDescriptors.Keys.Any(fd => Libc.AcceptQueueLength(fd) > 0) && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, int> ParseInherited(string? text)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in (text ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.LastIndexOf('=');
            if (equals > 0)
            {
                var value = pair[(equals + 1)..];
                result[pair[..equals]] = value == WorkerEnvironment.HandoffValue ? HandoffInherited : Number(value);
            }
        }

        return result;
    }

    private static int Number(string? text, int fallback = -1) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
