using System.Net;
using System.Net.Sockets;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;
using Roost.Clustering.Internal.Listeners;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Worker messages, exits and the periodic checks.</summary>
internal sealed partial class Supervisor
{
    private void OnOnline(WorkerProcess worker)
    {
        Log.WorkerOnline(_logger, worker.Id, worker.Pid, worker.Generation);
        if (worker.IsSpare)
        {
            // Not a worker for the application yet: its events are raised when it is promoted.
            _spares.MarkOnline(worker.Id);
            return;
        }

        RaiseOnline(worker.Worker);
    }

    private void OnListenRequest(WorkerProcess worker, ListenRequestMessage request)
    {
        if (!IPAddress.TryParse(request.Address, out var address) || request.Port is < 0 or > 65535)
        {
            worker.Channel.Send(new ListenResponseMessage(request.RequestId, false, $"'{request.Address}:{request.Port}' is not an end point"));
            return;
        }

        var endPoint = new IPEndPoint(address, request.Port);
        int handle;
        try
        {
            handle = _sharing.GetHandle(endPoint, worker.Slot);
        }
        catch (SocketException ex)
        {
            // The worker then binds by itself and reports the error the usual way (ListenException with advice).
            Log.ListenBindFailed(_logger, EndPointText.Describe(endPoint), worker.Id, worker.Pid, worker.Generation, ex.Message);
            worker.Channel.Send(new ListenResponseMessage(request.RequestId, false, ex.Message));
            return;
        }

        if (handle == IListenerSharing.HandoffHandle)
        {
            worker.Channel.Send(new ListenResponseMessage(request.RequestId, false, null, Handoff: true));
            return;
        }

        worker.Channel.Send(new ListenResponseMessage(request.RequestId, true, null), handle);
    }

    private void OnListening(WorkerProcess worker, ListeningMessage message)
    {
        if (message.Port is < 0 or > 65535)
        {
            // A worker runtime never sends this; a broken or foreign one must not make the event fail (or count as ready).
            Log.MessageInvalid(_logger, "listening", worker.Id, worker.Pid, worker.Generation,
                $"port {message.Port} is outside 0-65535; the worker is not counted as listening");
            return;
        }

        var endPoint = new IPEndPoint(IPAddress.TryParse(message.Address, out var address) ? address : IPAddress.Any, message.Port);
        if (worker.Listened())
        {
            worker.Worker.IsListening = true;
            Log.WorkerReady(_logger, worker.Id, worker.Pid, worker.Generation, EndPointText.Describe(endPoint),
                (long)(_time.GetUtcNow() - worker.StartedAt).TotalMilliseconds);
            if (worker.WasPromoted)
            {
                // A promoted spare serves: spares work for this program, the run of spare deaths is broken.
                _spares.SpareProved();
            }

            WorkerReadyForControl?.Invoke(worker.Worker);
            OnReloadWorkerReady(worker);
            OnScaleWorkerReady(worker);
            EnsureSpares();
        }

        if (worker.State != WorkerState.Draining)
        {
            _sharing.OnWorkerListening(worker, endPoint);
        }

        Raise("Cluster.WorkerListening", WorkerListening, new WorkerListeningEventArgs(worker.Worker, endPoint));
        Raise("ClusterWorker.Listening", worker.Worker, () => worker.Worker.RaiseListening(endPoint));
    }

    private void OnHeartbeat(WorkerProcess worker, HeartbeatMessage message)
    {
        worker.LastHeartbeat = _time.GetUtcNow();
        worker.Worker.RequestCount = message.Requests;
        worker.Worker.RssBytes = ProcessMemory.ReadRssBytes(worker.Pid);
    }

    private void OnUserMessage(WorkerProcess worker, UserMessage message)
    {
        var args = new WorkerMessageEventArgs(worker.Worker, message.Payload);
        RaiseMessage(worker, message, "Cluster.MessageReceived", () => EventInvoker.InvokeEach(MessageReceived, this, args));
        RaiseMessage(worker, message, "ClusterWorker.MessageReceived", () => worker.Worker.RaiseMessage(message.Payload));
    }

    private void RaiseMessage(WorkerProcess worker, UserMessage message, string eventName, Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception ex)
        {
            // Application code on the loop. Node would die of this uncaught exception; a server should not lose its
            // primary (and every worker with it) to one bad handler: log who sent what, keep the channel (docs/cluster.md, "Messages").
            Log.MessageHandlerFailed(_logger, eventName, worker.Id, worker.Pid, worker.Generation, message.Payload.ValueKind.ToString(), ex);
        }
    }

    private void OnExited(WorkerProcess worker, int rawExitCode)
    {
        if (worker.IsSpare)
        {
            OnSpareExited(worker, rawExitCode);
            return;
        }

        var asked = worker.State == WorkerState.Draining;
        worker.Exited();
        _workers.Remove(worker.Id);
        _published.TryRemove(worker.Id, out _);
        _sharing.OnWorkerGone(worker);
        worker.Channel.Dispose();
        worker.Process.Dispose();
        var (exitCode, signal) = Classify(rawExitCode);
        var exit = ClusterErrorMessages.DescribeExit(exitCode, signal);
        var uptime = _time.GetUtcNow() - worker.StartedAt;
        worker.Worker.IsDead = true;
        worker.Worker.IsConnected = false;
        worker.Worker.ExitedAfterDisconnect = asked;
        if (asked)
        {
            Log.WorkerExitedAsked(_logger, worker.Id, worker.Pid, worker.Generation, exit, (long)uptime.TotalMilliseconds);
        }
        else
        {
            Log.WorkerExited(_logger, worker.Id, worker.Pid, worker.Generation, exit, (long)uptime.TotalMilliseconds);
        }

        var args = new WorkerExitedEventArgs(worker.Worker, exitCode, signal);
        Raise("Cluster.WorkerExited", WorkerExited, args);
        Raise("ClusterWorker.Exited", worker.Worker, () => worker.Worker.RaiseExited(args));

        if (_state == State.Running && !OnReloadWorkerExited(worker, exit) && !OnScaleWorkerExited(worker, exit))
        {
            Decide(worker, asked, exitCode, signal, uptime);
        }

        if (_workers.Count == 0 && _slots.Pending.Count == 0)
        {
            if (_state == State.Stopping && _spares.Count == 0)
            {
                Finish(_exitCode);
            }
            else if (_state == State.Running)
            {
                // Node's primary exits once its last worker is gone and nothing else keeps it alive.
                _keepAlive?.Dispose();
                _keepAlive = null;
            }
        }
    }

    /// <summary>Sends a worker its <c>stop</c>; when its channel is already closed, <paramref name="fallbackSignal"/> instead (SIGTERM makes the façade drain just the same).</summary>
    private static void SendStop(WorkerProcess worker, StopMessage message, int fallbackSignal = Libc.SigTerm)
    {
        if (!worker.Channel.Send(message))
        {
            _ = Libc.Kill(worker.Pid, fallbackSignal);
        }
    }

    private void Decide(WorkerProcess worker, bool asked, int? exitCode, string? signal, TimeSpan uptime)
    {
        var wasReady = worker.HasListened && worker.KilledFor != KillReason.BootTimeout;
        var decision = _policy.Decide(asked, wasReady, uptime);
        switch (decision.Action)
        {
            case RestartAction.Restart:
                _slots.Restarting(worker);
                if (TryPromoteSpare(worker, decision.Delay))
                {
                    break;
                }

                Log.WorkerRestarting(_logger, worker.Slot, worker.Id, worker.Pid, worker.Generation, (long)decision.Delay.TotalMilliseconds, _policy.CrashesInWindow);
                _slots.RespawnScheduled(worker.Slot);
                _ = PostAfterAsync(decision.Delay, new SupervisorEvent.RespawnDue(worker.Slot));
                break;
            case RestartAction.BootFailed:
                Log.WorkerBootFailed(_logger, ClusterErrorMessages.WorkerBootFailed(worker.Id, worker.Pid, worker.Generation, exitCode, signal));
                BeginStop(ClusterExitCodes.WorkerBootFailed, "a worker failed during startup");
                break;
            case RestartAction.GiveUp:
                Log.CrashLoop(_logger, ClusterErrorMessages.CrashLoop(_options.MaxCrashes, _options.CrashWindow));
                BeginStop(ClusterExitCodes.WorkersCrashLooping, "too many crashes");
                break;
            case RestartAction.None:
                break;
        }
    }

    private async Task PostAfterAsync(TimeSpan delay, SupervisorEvent e)
    {
        await Task.Delay(delay, _time).ConfigureAwait(false);
        Post(e);
    }

    private void OnSignalReceived(int signal)
    {
        _signalsHandled++;
        if (_signalsHandled == 1)
        {
            BeginStop(ClusterExitCodes.Ok, signal == 2 ? "SIGINT" : "SIGTERM");
            return;
        }

        Log.StopForced(_logger, signal, _workers.Count);
        foreach (var worker in _workers.Values)
        {
            _ = Libc.Kill(worker.Pid, Libc.SigKill);
        }

        _state = State.Stopping;
        Finish(128 + signal);
    }

    private void BeginStop(int exitCode, string reason)
    {
        if (_state != State.Running)
        {
            return;
        }

        _state = State.Stopping;
        _exitCode = exitCode;
        _slots.ClearPending();
        EndReload(ReloadResult.Failed(_generation, ClusterErrorMessages.ReloadStopping(reason)), aborted: true);
        FailScale(ClusterErrorMessages.ScaleStopping(reason));
        _drainDeadline = _time.GetUtcNow() + _options.DrainTimeout + ExitGrace;
        Log.Stopping(_logger, _workers.Count, _options.DrainTimeout, reason);
        StopSpares(all: true);
        foreach (var worker in _workers.Values)
        {
            worker.BeginDraining();
            _sharing.OnWorkerGone(worker);
            SendStop(worker, new StopMessage((long)_options.DrainTimeout.TotalMilliseconds));
        }

        if (_workers.Count == 0 && _spares.Count == 0)
        {
            Finish(exitCode);
        }
    }

    private void Finish(int exitCode)
    {
        if (_state == State.Stopped)
        {
            return;
        }

        _state = State.Stopped;
        Log.Stopped(_logger, exitCode);
        Environment.ExitCode = exitCode;
        _tick?.Dispose();
        _sigint?.Dispose();
        _sigterm?.Dispose();
        _sighup?.Dispose();
        _sharing.Dispose();
        _launcher.Dispose();
        _keepAlive?.Dispose();
        _keepAlive = null;
        _control.Close(exitCode);
        StopAdmin();
        _exit.TrySetResult(exitCode);
    }

    private void CheckWorkers()
    {
        var now = _time.GetUtcNow();
        if (_state == State.Stopping && now > _drainDeadline)
        {
            foreach (var worker in _workers.Values)
            {
                Log.DrainDeadline(_logger, worker.Id, worker.Pid, worker.Generation);
                _ = Libc.Kill(worker.Pid, Libc.SigKill);
            }

            // Kill once; the exits finish the stop.
            _drainDeadline = DateTimeOffset.MaxValue;
            return;
        }

        if (_state != State.Running || !_options.RespawnWorkers)
        {
            return;
        }

        var heartbeatLimit = _options.HeartbeatInterval * _options.MissedHeartbeats;
        foreach (var worker in _workers.Values)
        {
            if (worker.KilledBySupervisor)
            {
                continue;
            }

            if (!worker.HasListened && now - worker.StartedAt > _options.BootTimeout)
            {
                Log.WorkerBootFailed(_logger, ClusterErrorMessages.WorkerBootTimedOut(worker.Id, worker.Pid, worker.Generation, _options.BootTimeout));
                worker.Kill(KillReason.BootTimeout);
            }
            else if (worker.State == WorkerState.Ready && now - worker.LastHeartbeat > heartbeatLimit)
            {
                Log.HeartbeatMissed(_logger, worker.Id, worker.Pid, worker.Generation, (long)(now - worker.LastHeartbeat).TotalMilliseconds);
                worker.Kill(KillReason.MissedHeartbeats);
            }
        }
    }

    /// <summary>.NET reports a process ended by signal N as exit code 128 + N; Node reports (null, 'SIGNAME').</summary>
    internal static (int? ExitCode, string? Signal) Classify(int exitCode) => exitCode switch
    {
        > 128 and < 160 => (null, SignalName(exitCode - 128)),
        _ => (exitCode, null),
    };

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => $"SIG{signal}",
    };
}
