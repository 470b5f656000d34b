using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.InWorker;
using Roost.Clustering.Internal.Ipc;
using Roost.Clustering.Internal.Listeners;
using Roost.Clustering.Internal.Systemd;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The primary's supervisor: one loop owns the worker table; IPC readers, process-exit watchers, timers and signal
/// callbacks only post <see cref="SupervisorEvent"/>s to it.
/// </summary>
/// <remarks>
/// Worker states (<see cref="WorkerState"/>): Starting → Ready (first <c>listening</c>) → Draining (asked to stop) → Exited;
/// a hot spare is Spare → SpareWaiting (app built) until promoted to Starting. See docs/architecture.md.
/// A worker that exits before ready is a boot failure (managed mode stops the cluster). The loop reads as: wait for
/// an event or the tick → handle it → check heartbeats, boot timeouts and the drain deadline.
/// Cluster states: running → stopping (drain, then kill at the deadline) → stopped (exit code set, sockets closed).
/// </remarks>
internal sealed partial class Supervisor
{
    // Workers get the drain timeout for their requests, plus this for their own exit, before they are killed.
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The primary's RSS growth over its lowest that is worth an idle trim. Each respawn leaves freed native memory in
    /// glibc's per-thread arenas (benchmarks/results/2026-12-07-primary-rss-respawns.md: +10 MB over 27 kill -9
    /// respawns with a flat ~1 MB managed heap; malloc_trim gave it all back), so the primary trims as workers do.
    /// </summary>
    private const long PrimaryTrimSlack = 8L << 20;

    // The supervisor whose loop is handling an event on this thread: Fork from an event handler then runs inline.
    [ThreadStatic]
    private static Supervisor? _handling;

    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly IdleMemoryTrimmer? _trimmer;
    private readonly ILogger _logger;
    private readonly Channel<SupervisorEvent> _events = Channel.CreateUnbounded<SupervisorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<int, WorkerProcess> _workers = [];
    private readonly ConcurrentDictionary<int, ClusterWorker> _published = new();
    private readonly SlotTable _slots = new();
    private readonly List<IPEndPoint> _preBound = [];
    private readonly RestartPolicy _policy;
    private readonly IListenerSharing _sharing;
    private readonly IWorkerLauncher _launcher;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<Type, Action<WorkerProcess, IpcMessage>> _dispatch;
    private readonly Lock _startGate = new();
    private ProcessKeepAlive? _keepAlive;
    private PosixSignalRegistration? _sigint;
    private PosixSignalRegistration? _sigterm;
    private PosixSignalRegistration? _sighup;
    private ITimer? _tick;
    private Task? _loop;
    private State _state;
    private int _exitCode;
    private int _nextId;
    private int _signalsHandled;
    private DateTimeOffset _drainDeadline;

    public Supervisor(ClusterOptions options, TimeProvider? time = null, IWorkerLauncher? launcher = null)
    {
        _options = options.Clone();
        _time = time ?? TimeProvider.System;
        _launcher = launcher ?? new WorkerLauncher();

        // Only with real workers: the harness's stand-ins leave the test process's memory alone.
        _trimmer = launcher is null ? IdleMemoryTrimmer.ForThisProcess(PrimaryTrimSlack) : null;
        _logger = CreateMetrics(_options.LoggerFactory?.CreateLogger("Roost.Cluster") ?? new StderrLogger(LogLevel.Warning));
        _policy = new RestartPolicy(_options, _time, Random.Shared.NextDouble);
        _ticketKeys = new TicketKeyDistribution(_options, _time);
        _acmeChallenges = new AcmeChallengeDistribution(_time);
        var sharing = _options.ListenerSharing == ListenerSharingMode.Auto
            ? (_options.RespawnWorkers ? ListenerSharingMode.ReusePort : ListenerSharingMode.Handoff)
            : _options.ListenerSharing;
        _sharing = sharing switch
        {
            ListenerSharingMode.ReusePort => new ReusePortListenerSharing(),
            ListenerSharingMode.Handoff => new HandoffListenerSharing(_logger),
            _ => new SharedListenerSharing(),
        };
        _dispatch = new()
        {
            [typeof(OnlineMessage)] = (w, _) =>
            {
                _metrics.Online(w.Id);
                OnOnline(w);
            },
            [typeof(ListenRequestMessage)] = (w, m) => OnListenRequest(w, (ListenRequestMessage)m),
            [typeof(ListeningMessage)] = (w, m) => OnListening(w, (ListeningMessage)m),
            [typeof(HeartbeatMessage)] = (w, m) => OnHeartbeat(w, (HeartbeatMessage)m),
            [typeof(UserMessage)] = (w, m) => OnUserMessage(w, (UserMessage)m),
            [typeof(LoadMessage)] = (w, m) => _sharing.OnLoad(w, ((LoadMessage)m).ClosedConnections),
            [typeof(BroadcastMessage)] = (w, m) => Broadcast(((BroadcastMessage)m).Payload, w.Id),
            [typeof(CertificatesReloadedMessage)] = (w, m) => OnCertificatesReloaded(w, (CertificatesReloadedMessage)m),
            [typeof(SpareWaitingMessage)] = (w, _) => OnSpareWaiting(w),
            [typeof(AcmeChallengeHeldMessage)] = (w, m) => _acmeChallenges.Held(w.Id, ((AcmeChallengeHeldMessage)m).Name, ((AcmeChallengeHeldMessage)m).Digest),
        };
    }

    private enum State
    {
        Running,
        Stopping,
        Stopped,
    }

    public event EventHandler<ClusterWorkerEventArgs>? WorkerForked;

    public event EventHandler<ClusterWorkerEventArgs>? WorkerOnline;

    public event EventHandler<WorkerListeningEventArgs>? WorkerListening;

    public event EventHandler<WorkerMessageEventArgs>? MessageReceived;

    public event EventHandler<ClusterWorkerEventArgs>? WorkerDisconnected;

    public event EventHandler<WorkerExitedEventArgs>? WorkerExited;

    public ClusterOptions Options => _options;

    public IReadOnlyDictionary<int, ClusterWorker> Workers => _published;

    public bool HasForked => _nextId > 0;

    public Task<int> Completion => _exit.Task;

    /// <summary>Binds <paramref name="endPoint"/> in the primary before any worker starts; workers inherit it. Returns the bound end point.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The end point cannot be bound.</exception>
    public IPEndPoint Listen(IPEndPoint endPoint)
    {
        lock (_startGate)
        {
            if (_nextId > 0)
            {
                throw new InvalidOperationException(ClusterErrorMessages.SetupAfterFork());
            }

            _sharing.GetHandle(endPoint, 0);
            _preBound.Add(endPoint);
            return _sharing.BoundEndPoints[endPoint];
        }
    }

    /// <summary>Starts a worker; from an event handler on the loop it runs inline, elsewhere it waits for the loop.</summary>
    public ClusterWorker Fork(IReadOnlyDictionary<string, string?>? environment)
    {
        EnsureStarted();
        if (_handling == this)
        {
            return SpawnChecked(NextFreeSlot(), environment);
        }

        var result = new TaskCompletionSource<ClusterWorker>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_events.Writer.TryWrite(new SupervisorEvent.Fork(environment, result)))
        {
            // The loop has finished (the cluster stopped): nobody would ever answer.
            return NotStarted();
        }

        // Node's cluster.fork() returns the worker synchronously; the loop answers within the few milliseconds of
        // a fork/exec, so this blocking wait is the documented sync sugar (CONTRIBUTING.md §6.1).
        return result.Task.GetAwaiter().GetResult();
    }

    public void RequestStop()
    {
        EnsureStarted();
        Post(new SupervisorEvent.Stop());
    }

    private void Post(SupervisorEvent e) => _events.Writer.TryWrite(e);

    private void EnsureStarted()
    {
        lock (_startGate)
        {
            if (_loop is not null)
            {
                return;
            }

            StartControlSocket();
            StartAdmin();
            StartOtlp();

            StartNotify();
            _sigint = RegisterSignal(PosixSignal.SIGINT, OnSignal, "a graceful stop");
            _sigterm = RegisterSignal(PosixSignal.SIGTERM, OnSignal, "a graceful stop");
            _sighup = RegisterSignal(PosixSignal.SIGHUP, OnReloadSignal, "a rolling reload of the workers");
            _tick = _time.CreateTimer(static s => ((Supervisor)s!).Post(new SupervisorEvent.Tick()), this, TickPeriod, TickPeriod);
            _loop = Task.Run(RunAsync);
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Signal callbacks only enqueue; the loop logs and acts (CONTRIBUTING.md §8.4).
        context.Cancel = true;
        Post(new SupervisorEvent.Signal(context.Signal == PosixSignal.SIGINT ? 2 : 15));
    }

    private async Task RunAsync()
    {
        await foreach (var e in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            _handling = this;
            try
            {
                Handle(e);
                UpdateNotify(e);
            }
            catch (Exception ex)
            {
                // The loop boundary: one failed event must not take the primary down with it.
                Log.SupervisorEventFailed(_logger, e.GetType().Name, ex);
            }
            finally
            {
                _handling = null;
            }

            if (_state == State.Stopped)
            {
                StopNotify();
                StopAcmeChallenges();

                // Refuse what is still queued or comes later, so no Fork caller waits forever.
                _events.Writer.TryComplete();
                while (_events.Reader.TryRead(out var late))
                {
                    if (late is SupervisorEvent.Fork fork)
                    {
                        fork.Result.TrySetResult(NotStarted());
                    }
                }

                return;
            }
        }
    }

    private void Handle(SupervisorEvent e)
    {
        switch (e)
        {
            case SupervisorEvent.Message m:
                Dispatch(m.Worker, m.Payload);
                break;
            case SupervisorEvent.Rejected r:
                Log.MessageRejected(_logger, r.Worker.Id, r.Worker.Pid, r.Worker.Generation, r.Reason, r.Length);
                break;
            case SupervisorEvent.ChannelClosed c:
                c.Worker.Worker.IsConnected = false;
                _acmeChallenges.Gone(c.Worker.Id);
                Raise("Cluster.WorkerDisconnected", WorkerDisconnected, new ClusterWorkerEventArgs(c.Worker.Worker));
                Raise("ClusterWorker.Disconnected", c.Worker.Worker, c.Worker.Worker.RaiseDisconnected);
                break;
            case SupervisorEvent.Exited x:
                _acmeChallenges.Gone(x.Worker.Id);
                OnExited(x.Worker, x.ExitCode);
                _metrics.Retire(x.Worker.Id, x.Worker.Slot);
                break;
            case SupervisorEvent.Metrics m:
                m.Result.TrySetResult(BuildMetrics());
                break;
            case SupervisorEvent.Signal s:
                OnSignalReceived(s.Number);
                break;
            case SpareDue:
                OnSpareDue();
                break;
            case SupervisorEvent.RespawnDue r:
                _slots.RespawnDue(r.Slot);
                if (_state == State.Running && !_slots.TakeCancelled(r.Slot))
                {
                    TrySpawn(r.Slot);
                }

                break;
            case SupervisorEvent.Fork f:
                try
                {
                    f.Result.SetResult(SpawnChecked(NextFreeSlot(), f.Environment));
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
                {
                    f.Result.SetException(ex);
                }

                break;
            case SupervisorEvent.Stop:
                BeginStop(ClusterExitCodes.Ok, "stop requested");
                break;
            case SupervisorEvent.Reload r:
                StartReload(r.Result);
                break;
            case SupervisorEvent.Scale s:
                StartScale(s);
                break;
            case SupervisorEvent.Control c:
                HandleControl(c);
                break;
            case SupervisorEvent.Tick:
                _trimmer?.Tick();
                CheckWorkers();
                CheckReload();
                CheckRecycle();
                CheckCertificateReloads();
                CheckTlsFiles();
                CheckSpares();
                CheckTicketKeys();
                break;
        }
    }

    private void Dispatch(WorkerProcess worker, IpcMessage message)
    {
        if (_dispatch.TryGetValue(message.GetType(), out var handler))
        {
            handler(worker, message);
        }
        else
        {
            Log.UnexpectedMessage(_logger, message.GetType().Name, worker.Id, worker.Pid, worker.Generation);
        }
    }

    /// <summary>Raises one of the supervisor's own events for the worker in <paramref name="args"/> (see <see cref="Raise(string, ClusterWorker, Action)"/>).</summary>
    private void Raise<TArgs>(string eventName, EventHandler<TArgs>? handlers, TArgs args)
        where TArgs : ClusterWorkerEventArgs =>
        Raise(eventName, args.Worker, () => EventInvoker.InvokeEach(handlers, this, args));

    /// <summary>A worker came online (fresh, or a promoted hot spare): the cluster's event, then the worker's own.</summary>
    private void RaiseOnline(ClusterWorker worker)
    {
        Raise("Cluster.WorkerOnline", WorkerOnline, new ClusterWorkerEventArgs(worker));
        Raise("ClusterWorker.Online", worker, worker.RaiseOnline);
    }

    /// <summary>
    /// Runs <paramref name="raise"/>, which calls every subscriber of one event through <see cref="EventInvoker"/>
    /// (a throwing subscriber does not keep the event from the others); logs what they threw with the event's name and
    /// the worker, and carries on.
    /// </summary>
    private void Raise(string eventName, ClusterWorker worker, Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception ex)
        {
            // Application code on the loop. Node's primary dies of an exception in an 'exit' listener; a supervisor
            // must not stop respawning (and lose every worker) over one bad handler (docs/cluster.md, "Events").
            Log.EventHandlerFailed(_logger, eventName, worker.Id, worker.Pid, worker.Generation, ex);
        }
    }

    private int NextFreeSlot() => _slots.NextFree(_workers.Values);

    private void TrySpawn(int slot)
    {
        try
        {
            // The replacement gets the dead worker's fork environment, as a reload replacement does.
            Spawn(slot, _slots.Environment(slot), _generation);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
        {
            Log.WorkerSpawnFailed(_logger, slot, ex);
            BeginStop(ClusterExitCodes.Forced, "a worker could not be started");
        }
    }

    private ClusterWorker SpawnChecked(int slot, IReadOnlyDictionary<string, string?>? environment)
    {
        return _state == State.Running ? Spawn(slot, environment, _generation) : NotStarted();
    }

    /// <summary>
    /// What <see cref="Fork"/> returns once the cluster is stopping or has stopped (a signal, <c>Cluster.Stop</c>, a boot
    /// failure, a crash loop): a worker that is already dead and never raises an event. A program's fork loop (Node's
    /// <c>for (…) cluster.fork()</c>) or exit handler that races the stop then ends with the cluster's exit code and
    /// its one message, instead of an unhandled exception (SIGABRT, 134).
    /// </summary>
    private ClusterWorker NotStarted()
    {
        Log.ForkAfterStop(_logger, Volatile.Read(ref _exitCode));
        return new ClusterWorker(0, 0, _generation, static _ => false) { IsConnected = false, IsDead = true };
    }

    private ClusterWorker Spawn(int slot, IReadOnlyDictionary<string, string?>? environment, int generation, bool spare = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var (parentHandle, childHandle) = Libc.CreateSocketPair();
        var info = _options.WorkerStartInfo?.Invoke() ?? WorkerCommand.Create();
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        // A hot spare gets no sockets now: it asks for its slot's sockets once it is promoted.
        var inherited = spare ? string.Empty : string.Join(';', _preBound.Select(ep => $"{EndPointText.Describe(ep)}={HandleText(_sharing.GetHandle(ep, slot))}"));
        info.Environment[WorkerEnvironment.WorkerId] = Text(id);
        info.Environment[WorkerEnvironment.Generation] = Text(generation);
        info.Environment[WorkerEnvironment.IpcHandle] = Text(childHandle);
        info.Environment[WorkerEnvironment.PrimaryPid] = Text(Environment.ProcessId);
        info.Environment[WorkerEnvironment.HeartbeatMilliseconds] = Text((long)_options.HeartbeatInterval.TotalMilliseconds);
        info.Environment[WorkerEnvironment.DrainMilliseconds] = Text((long)_options.DrainTimeout.TotalMilliseconds);
        info.Environment[WorkerEnvironment.MaxMessageBytes] = Text(_options.MaxMessageBytes);
        info.Environment[WorkerEnvironment.KeepAliveDrainMilliseconds] = Text((long)_options.KeepAliveDrainWindow.TotalMilliseconds);
        info.Environment[WorkerEnvironment.ListenHandles] = inherited;
        info.Environment[WorkerEnvironment.Spare] = spare ? "1" : null;
        ApplyMetricsEnvironment(info.Environment, id);
        ApplyWorkerDefaults(info, environment);
        ApplyWorkerUser(info);
        foreach (var variable in SystemdNotifier.Variables)
        {
            // The primary speaks for the service; a worker (or the app under roost run) must not tell systemd it is ready.
            info.Environment.Remove(variable);
        }

        System.Diagnostics.Process process;
        try
        {
            process = _launcher.Start(info, childHandle);
        }
        catch
        {
            _ = Libc.Close(parentHandle);
            _metrics.Retire(id, -1);
            throw;
        }
        finally
        {
            // The child has its copy (or failed to start); ours would keep the channel open after the child dies.
            _ = Libc.Close(childHandle);
        }

        var channel = new IpcChannel(parentHandle, _options.MaxMessageBytes, $"roost-ipc-{id}");
        var worker = new ClusterWorker(id, process.Id, generation, m => channel.Send(m))
        {
            StartedAt = _time.GetUtcNow(),
            Restarts = _slots.Restarts(slot),
        };
        var record = new WorkerProcess(worker, process, channel, spare ? WorkerProcess.SpareSlot : slot, _time.GetUtcNow()) { ForkEnvironment = environment };
        channel.MessageReceived += m =>
        {
            // Hand-off confirmations are the acceptor's own (HandoffAcceptor, on this reader thread); not the loop's.
            if (m is not ConnectionReceivedMessage)
            {
                Post(new SupervisorEvent.Message(record, m));
            }
        };
        channel.MessageRejected += (reason, length) => Post(new SupervisorEvent.Rejected(record, reason, length));
        channel.Closed += () => Post(new SupervisorEvent.ChannelClosed(record));
        SendTlsFiles(channel);
        channel.Start();
        SendTicketKeys(channel);
        SendAcmeChallenges(channel);
        _ = WatchExitAsync(record);

        if (spare)
        {
            AddSpare(record);
            return worker;
        }

        _workers[id] = record;
        _published[id] = worker;
        _keepAlive ??= new ProcessKeepAlive("roost-cluster-primary");
        Log.WorkerForked(_logger, id, process.Id, generation, slot);
        Raise("Cluster.WorkerForked", WorkerForked, new ClusterWorkerEventArgs(worker));
        return worker;
    }

    private async Task WatchExitAsync(WorkerProcess worker)
    {
        // WaitForExitAsync completes even when the process exited before this call.
        await worker.Process.WaitForExitAsync().ConfigureAwait(false);
        Post(new SupervisorEvent.Exited(worker, worker.Process.ExitCode));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string HandleText(int handle) => handle == IListenerSharing.HandoffHandle ? WorkerEnvironment.HandoffValue : Text(handle);
}
