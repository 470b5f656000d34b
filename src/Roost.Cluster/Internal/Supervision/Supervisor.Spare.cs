using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Interop;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Hot spares (managed mode): worker processes started ahead of need that run the program up to their first
/// <c>Listen</c> (app built, not started) and wait for <c>promote</c>. A crash is answered by promoting a spare into
/// the dead worker's slot at once (no backoff, no cold start); the next spare is then started after the backoff the
/// restart policy chose, so a crash loop is still paced and counted by it.
/// </summary>
/// <remarks>
/// A spare is not in the worker table and not in <c>Cluster.Workers</c>, and raises no application events until it is
/// promoted (then <c>fork</c>, <c>online</c>, <c>listening</c> as for any worker). Spares are started only while no
/// worker is booting and no cold respawn is pending (they would compete for the CPU), with the fork environment of the
/// lowest-slot worker, and are used only for a worker whose fork environment is the same. A reload discards spares of
/// older generations (they run the program as it was when they started); none is started while a reload runs, and
/// the next one <see cref="SpareQuietAfterReload"/> after it ended. A spare that
/// exits before it reported <c>spare-waiting</c>, or does not report within <see cref="ClusterOptions.BootTimeout"/>,
/// turns spares off until the next successful reload (a boot-failure signal; never a loop).
/// </remarks>
internal sealed partial class Supervisor
{
    /// <summary>
    /// How long after a reload (or recycle) ends the next spare waits. A spare started at once would be discarded by
    /// the next reload if another follows soon (a spare of an older generation runs the old program), and under a
    /// reload storm every reload paid one more .NET boot on the cores that serve; during a reload none is started either.
    /// </summary>
    internal static readonly TimeSpan SpareQuietAfterReload = TimeSpan.FromSeconds(5);

    private readonly SparePool _spares = new();
    private readonly Dictionary<int, IReadOnlyDictionary<string, string?>?> _slotEnvironments = [];

    private int SpareTarget => _options.RespawnWorkers ? _options.HotSpares : 0;

    private int SpareGeneration => _reload?.Generation ?? _generation;

    private void EnsureSpares()
    {
        if (_state != State.Running || SpareTarget == 0 || _spares.TurnedOff || _spares.DuePending || _workers.Count == 0 || _pendingSlots.Count > 0 || _reload is not null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (now < _spares.NotBefore)
        {
            ScheduleSpare(_spares.NotBefore - now);
            return;
        }

        // Booting workers first: a spare booting beside them would slow them down on a small machine.
        if (_workers.Values.Any(w => w.State == WorkerState.Starting))
        {
            return;
        }

        var environment = _workers.Values.Where(w => w.State != WorkerState.Draining).OrderBy(w => w.Slot).Select(w => w.ForkEnvironment).FirstOrDefault();
        while (_spares.Active < SpareTarget)
        {
            try
            {
                Spawn(-1, environment, SpareGeneration, spare: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
            {
                Log.WorkerSpawnFailed(_logger, -1, ex);
                _spares.TurnOff();
                return;
            }
        }
    }

    private void AddSpare(WorkerProcess spare)
    {
        _spares.Add(spare);
        Log.SpareForked(_logger, spare.Id, spare.Pid, spare.Generation);
    }

    private void OnSpareWaiting(WorkerProcess worker)
    {
        if (!worker.SpareWaiting())
        {
            return;
        }

        _spares.SpareWaited();
        Log.SpareWaiting(_logger, worker.Id, worker.Pid, worker.Generation, (long)(_time.GetUtcNow() - worker.StartedAt).TotalMilliseconds);
    }

    private void OnSpareDue()
    {
        _spares.DuePending = false;
        EnsureSpares();
    }

    private void ScheduleSpare(TimeSpan delay)
    {
        _spares.DuePending = true;
        _ = PostAfterAsync(delay, new SpareDue());
    }

    /// <summary>After an unasked exit that the policy restarts: promote a spare into the slot now; <see langword="false"/> when none fits.</summary>
    private bool TryPromoteSpare(WorkerProcess dead, TimeSpan backoff)
    {
        if (_state != State.Running)
        {
            return false;
        }

        var spare = _spares.Find(_generation, dead.ForkEnvironment);
        if (spare is null)
        {
            return false;
        }

        var waiting = spare.State == WorkerState.SpareWaiting;
        Promote(spare, dead.Slot);
        Log.SparePromoted(_logger, spare.Id, spare.Pid, spare.Generation, dead.Slot, dead.Id, dead.Pid, waiting);

        // The spare's own replacement follows the backoff the policy chose for this crash.
        ScheduleSpare(backoff);
        return true;
    }

    /// <summary>A reload step: a spare of the reload's generation becomes the successor instead of a cold start.</summary>
    private bool TryPromoteSpareForReload(WorkerProcess old, RollingReload reload)
    {
        var spare = _spares.Find(reload.Generation, old.ForkEnvironment);
        if (spare is null)
        {
            return false;
        }

        var waiting = spare.State == WorkerState.SpareWaiting;
        Promote(spare, old.Slot);
        Log.SparePromoted(_logger, spare.Id, spare.Pid, spare.Generation, old.Slot, old.Id, old.Pid, waiting);
        reload.Incoming[spare] = old.Id;
        return true;
    }

    private void Promote(WorkerProcess spare, int slot)
    {
        var online = _spares.Remove(spare);
        var now = _time.GetUtcNow();
        spare.Promote(slot, now);
        spare.Worker.StartedAt = now;
        spare.Worker.Restarts = _slotRestarts.GetValueOrDefault(slot);
        _workers[spare.Id] = spare;
        _published[spare.Id] = spare.Worker;

        // If the spare's channel is gone it is dying: its exit is then handled as a worker that never listened.
        spare.Channel.Send(new PromoteMessage(slot));
        Raise("Cluster.WorkerForked", WorkerForked, new ClusterWorkerEventArgs(spare.Worker));
        if (online)
        {
            RaiseOnline(spare.Worker);
        }
    }

    private void StopSpares(bool all)
    {
        foreach (var spare in _spares.Values.Where(s => s.State != WorkerState.Draining && (all || s.Generation < SpareGeneration)).ToList())
        {
            spare.BeginDraining();
            SendStop(spare, new StopMessage(0), Libc.SigKill);
        }
    }

    private void OnReloadEndedForSpares(bool aborted)
    {
        if (!aborted)
        {
            // New code on disk: a spare may succeed where the last one failed.
            _spares.TurnOn();
        }

        _spares.NotBefore = _time.GetUtcNow() + SpareQuietAfterReload;
        EnsureSpares();
    }

    private void CheckSpares()
    {
        var now = _time.GetUtcNow();
        foreach (var spare in _spares.Values)
        {
            if (spare.State == WorkerState.Spare && !spare.KilledBySupervisor && now - spare.StartedAt > _options.BootTimeout)
            {
                Log.SpareBootFailed(_logger, ClusterErrorMessages.SpareBootTimedOut(spare.Id, spare.Pid, spare.Generation, _options.BootTimeout));
                _spares.TurnOff();
                spare.Kill(KillReason.BootTimeout);
            }
        }
    }

    private void OnSpareExited(WorkerProcess spare, int rawExitCode)
    {
        var state = spare.State;
        spare.Exited();
        _spares.Remove(spare);
        spare.Channel.Dispose();
        spare.Process.Dispose();
        var (exitCode, signal) = Classify(rawExitCode);
        var exit = ClusterErrorMessages.DescribeExit(exitCode, signal);
        var uptime = (long)(_time.GetUtcNow() - spare.StartedAt).TotalMilliseconds;
        if (state == WorkerState.Draining)
        {
            Log.SpareExited(_logger, spare.Id, spare.Pid, spare.Generation, exit, uptime, "asked to stop");
        }
        else if (spare.KilledFor == KillReason.BootTimeout)
        {
            // Already reported when it was killed.
        }
        else if (state == WorkerState.Spare)
        {
            Log.SpareBootFailed(_logger, ClusterErrorMessages.SpareBootFailed(spare.Id, spare.Pid, spare.Generation, exit));
            _spares.TurnOff();
        }
        else if (_spares.DiedWhileWaiting())
        {
            Log.SpareExited(_logger, spare.Id, spare.Pid, spare.Generation, exit, uptime, $"{_spares.DeathsInARow} spares in a row died while waiting; no more spares until the next successful reload");
            _spares.TurnOff();
        }
        else
        {
            Log.SpareExited(_logger, spare.Id, spare.Pid, spare.Generation, exit, uptime, "while waiting; another one follows");
            ScheduleSpare(_options.InitialBackoff);
        }

        if (_state == State.Stopping && _workers.Count == 0 && _spares.Count == 0)
        {
            Finish(_exitCode);
        }
    }

    /// <summary>The backoff before the next hot spare elapsed (timer).</summary>
    private sealed record SpareDue : SupervisorEvent;

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.SpareForked, LogLevel.Information, "Started hot spare worker {WorkerId} (pid {Pid}, generation {Generation})", EventName = "SpareForked")]
        public static partial void SpareForked(ILogger logger, int workerId, int pid, int generation);

        [LoggerMessage(ClusterEventIds.SpareWaiting, LogLevel.Information, "hot spare worker {WorkerId} (pid {Pid}, generation {Generation}) is built and waiting, {StartupMilliseconds} ms after start", EventName = "SpareWaiting")]
        public static partial void SpareWaiting(ILogger logger, int workerId, int pid, int generation, long startupMilliseconds);

        [LoggerMessage(ClusterEventIds.SparePromoted, LogLevel.Warning, "Promoted hot spare worker {WorkerId} (pid {Pid}, generation {Generation}) into slot {Slot} of worker {OldWorkerId} (pid {OldPid}) (spare was waiting: {WasWaiting})", EventName = "SparePromoted")]
        public static partial void SparePromoted(ILogger logger, int workerId, int pid, int generation, int slot, int oldWorkerId, int oldPid, bool wasWaiting);

        [LoggerMessage(ClusterEventIds.SpareExited, LogLevel.Information, "hot spare worker {WorkerId} (pid {Pid}, generation {Generation}) {Exit} after {UptimeMilliseconds} ms ({Reason})", EventName = "SpareExited")]
        public static partial void SpareExited(ILogger logger, int workerId, int pid, int generation, string exit, long uptimeMilliseconds, string reason);

        [LoggerMessage(ClusterEventIds.SpareBootFailed, LogLevel.Error, "{Message}", EventName = "SpareBootFailed")]
        public static partial void SpareBootFailed(ILogger logger, string message);
    }
}
