using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Systemd;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// systemd <c>Type=notify</c>: the loop tells systemd its state after every event it handles, and pings the watchdog.
/// Also the primary's signal registration, which takes SIGINT, SIGTERM and SIGHUP even when inherited as ignored.
/// </summary>
/// <remarks>
/// Phases and the datagram each change sends (docs/deploy.md):
/// <list type="number">
/// <item>starting → serving, once every worker is ready: <c>READY=1</c>.</item>
/// <item>serving → reloading, when a rolling reload starts: <c>RELOADING=1</c> + <c>MONOTONIC_USEC</c>.</item>
/// <item>reloading → serving, when it ends (done or aborted; the serving generation is the status): <c>READY=1</c>.</item>
/// <item>any → stopping, on a graceful stop: <c>STOPPING=1</c>.</item>
/// </list>
/// Every datagram carries a <c>STATUS=</c> line; a status change alone sends just that line. Recycling one worker
/// (--max-requests and friends) is not a reload for systemd: only the status says so. <c>WATCHDOG=1</c> is sent
/// from the loop, on a timer event posted every quarter of <c>WATCHDOG_USEC</c>: a loop that hangs stops pinging and
/// systemd restarts the service.
/// </remarks>
internal sealed partial class Supervisor
{
    private SystemdNotifier? _notifier;
    private ITimer? _watchdogTimer;
    private NotifyPhase _notifyPhase;
    private string? _notifiedStatus;
    private bool _notifyErrorLogged;

    private enum NotifyPhase
    {
        Starting,
        Serving,
        Reloading,
        Stopping,
    }

    /// <summary>Opens the notify socket when systemd gave one (from <see cref="EnsureStarted"/>).</summary>
    private void StartNotify()
    {
        _notifier = SystemdNotifier.Create(Environment.GetEnvironmentVariable, Environment.ProcessId, out var unsupported);
        if (unsupported is not null)
        {
            Log.NotifySocketUnsupported(_logger, unsupported);
        }

        if (_notifier?.WatchdogInterval is { } interval)
        {
            // A quarter of the interval: pings stay within systemd's recommended half even when the loop is busy for a while.
            var period = TimeSpan.FromTicks(Math.Max(interval.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
            _watchdogTimer = _time.CreateTimer(static s => ((Supervisor)s!).Post(new SupervisorEvent.WatchdogDue()), this, TimeSpan.Zero, period);
        }
    }

    /// <summary>After each event: send systemd what changed (phase, status), and the watchdog ping it asked for.</summary>
    private void UpdateNotify(SupervisorEvent handled)
    {
        if (_notifier is not { } notifier)
        {
            return;
        }

        if (handled is SupervisorEvent.WatchdogDue && _state != State.Stopped)
        {
            notifier.Send(NotifyState.Watchdog);
        }

        var phase = NextNotifyPhase();
        var status = NotifyStatus(phase);
        string? datagram = null;
        if (phase != _notifyPhase)
        {
            datagram = phase switch
            {
                NotifyPhase.Serving => NotifyState.Ready(status),
                NotifyPhase.Reloading => NotifyState.Reloading(Libc.MonotonicMicroseconds(), status),
                NotifyPhase.Stopping => NotifyState.Stopping(status),
                _ => NotifyState.Status(status),
            };
        }
        else if (status != _notifiedStatus)
        {
            datagram = NotifyState.Status(status);
        }

        _notifyPhase = phase;
        _notifiedStatus = status;
        if (datagram is not null && !notifier.Send(datagram) && !_notifyErrorLogged)
        {
            _notifyErrorLogged = true;
            Log.NotifyFailed(_logger, notifier.Address, notifier.LastError ?? "unknown error");
        }
    }

    private NotifyPhase NextNotifyPhase()
    {
        if (_state != State.Running)
        {
            return NotifyPhase.Stopping;
        }

        var reloading = _reload is { Recycle: null };
        if (_notifyPhase == NotifyPhase.Starting)
        {
            // Ready once every worker forked so far listens and none waits for a respawn (a reload asked for during
            // startup finishes first): READY=1 is sent once for startup.
            var allReady = _workers.Count > 0 && _pendingSlots.Count == 0 && !reloading && _workers.Values.All(w => w.State != WorkerState.Starting);
            return allReady ? NotifyPhase.Serving : NotifyPhase.Starting;
        }

        return reloading ? NotifyPhase.Reloading : NotifyPhase.Serving;
    }

    private string NotifyStatus(NotifyPhase phase)
    {
        var ready = _workers.Values.Count(w => w.State == WorkerState.Ready);
        switch (phase)
        {
            case NotifyPhase.Starting:
                return NotifyState.StartingStatus(ready, _workers.Values.Count(w => w.State != WorkerState.Draining) + _pendingSlots.Count);
            case NotifyPhase.Reloading:
                var reload = _reload!;
                return NotifyState.ReloadingStatus(reload.Generation, reload.Replaced, reload.Replaced + reload.Incoming.Count + reload.Remaining.Count);
            case NotifyPhase.Stopping:
                return NotifyState.StoppingStatus(_workers.Count);
            default:
                return NotifyState.ServingStatus(ready, _generation, _pendingSlots.Count, _scale?.Target);
        }
    }

    private void StopNotify()
    {
        _watchdogTimer?.Dispose();
        _notifier?.Dispose();
        _notifier = null;
    }

    /// <summary>Takes SIGINT, SIGTERM and SIGHUP even when inherited as ignored (see <see cref="InheritedSignals"/>), and says so.</summary>
    private PosixSignalRegistration RegisterSignal(PosixSignal signal, Action<PosixSignalContext> handler, string meaning)
    {
        var registration = InheritedSignals.Register(signal, handler, out var outcome);
        if (outcome == SignalTakeover.TakenFromIgnored)
        {
            Log.SignalTakenFromIgnored(_logger, signal.ToString(), meaning);
        }
        else if (outcome == SignalTakeover.StillIgnored)
        {
            Log.SignalStillIgnored(_logger, signal.ToString(), meaning);
        }

        return registration;
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.NotifySocketUnsupported, LogLevel.Warning, "NOTIFY_SOCKET '{Address}' is not a unix socket path or @abstract name; systemd is not told the service's state", EventName = "NotifySocketUnsupported")]
        public static partial void NotifySocketUnsupported(ILogger logger, string address);

        [LoggerMessage(ClusterEventIds.NotifyFailed, LogLevel.Warning, "Cannot send systemd a notification on NOTIFY_SOCKET '{Address}' ({Reason}); the service keeps running, its state in systemd may be stale. Further failures are not logged", EventName = "NotifyFailed")]
        public static partial void NotifyFailed(ILogger logger, string address, string reason);

        [LoggerMessage(ClusterEventIds.SignalTakenFromIgnored, LogLevel.Information, "{Signal} was inherited as ignored (nohup, or a script's background job); the primary takes it anyway: it asks for {Meaning}", EventName = "SignalTakenFromIgnored")]
        public static partial void SignalTakenFromIgnored(ILogger logger, string signal, string meaning);

        [LoggerMessage(ClusterEventIds.SignalStillIgnored, LogLevel.Warning, "{Signal} was inherited as ignored and the .NET runtime recorded it so before the cluster started; it stays ignored and cannot ask for {Meaning}. Use roost stop or roost reload, or start the program without ignoring the signal", EventName = "SignalStillIgnored")]
        public static partial void SignalStillIgnored(ILogger logger, string signal, string meaning);
    }
}
