using System.Globalization;
using Roost.Clustering.Internal.Control;
using Roost.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>The control socket's requests, served on the supervisor loop (one operation at a time, see Supervisor.Scale.cs).</summary>
internal sealed partial class Supervisor
{
    private readonly ControlSessions _control = new();

    /// <summary>Gets the control server, when <see cref="ClusterOptions.ControlSocket"/> is on and the loop started.</summary>
    public ControlServer? Control => _control.Server;

    /// <summary>Opens the control socket now (before binding, so a second primary of the same name fails before it joins the port).</summary>
    /// <exception cref="InvalidOperationException">Another primary of the same name is alive, or the socket cannot be created.</exception>
    public void OpenControlSocket()
    {
        lock (_startGate)
        {
            StartControlSocket();
        }
    }

    private void StartControlSocket()
    {
        if (!_options.ControlSocket || _control.Server is not null)
        {
            return;
        }

        var name = _options.Name
            ?? _sharing.BoundEndPoints.Values.Select(e => e.Port.ToString(CultureInfo.InvariantCulture)).FirstOrDefault()
            ?? Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "roost";
        var directory = RunDirectory.Resolve(name, _options.RunDirectory);
        _control.Open(name, directory, _logger, (request, session) => Post(new SupervisorEvent.Control(request, session)), removeDirectory: _options.RunDirectory is null);
    }

    private void HandleControl(SupervisorEvent.Control control)
    {
        var session = control.Session;
        switch (control.Request)
        {
            case ControlRequest.Status:
                session.Complete(BuildStatus());
                break;
            case ControlRequest.Recycle recycle:
                ControlRecycle(session, recycle);
                break;
            case ControlRequest.Metrics:
                ControlMetrics(session);
                break;
            case ControlRequest.Reload { CertsOnly: true }:
                StartCertificateReload(session);
                break;
            case ControlRequest.Reload:
                ControlReload(session);
                break;
            case ControlRequest.Scale scale:
                ControlScale(session, scale);
                break;
            case ControlRequest.Stop stop:
                ControlStop(session, stop);
                break;
        }
    }

    private ControlResponse.StatusReport BuildStatus()
    {
        var now = _time.GetUtcNow();
        WorkerStatus Describe(WorkerProcess w, string state, int? slot) => new(
            w.Id,
            w.Pid,
            slot,
            w.Generation,
            state,
            w.Worker.StartedAt,
            Math.Round((now - w.StartedAt).TotalSeconds, 1),
            w.Worker.RequestCount,
            w.Worker.RssBytes ?? (w.IsSpare ? ProcessMemory.ReadRssBytes(w.Pid) : null),
            w.Worker.Restarts);
        var workers = _workers.Values.OrderBy(w => w.Slot).ThenBy(w => w.Id)
            .Select(w => Describe(w, StatusText(w.State), w.Slot))
            .Concat(_spares.Values.Where(s => s.State != WorkerState.Draining).OrderBy(s => s.Id).Select(s => Describe(s, "spare", null)))
            .ToList();
        var operation = _reload is not null ? "reload" : _scale is not null ? "scale" : null;
        var state = _state switch
        {
            State.Running => "running",
            State.Stopping => "stopping",
            _ => "stopped",
        };
        return new ControlResponse.StatusReport(_control.Server?.Name ?? string.Empty, Environment.ProcessId, _control.PrimaryStartedAt, _generation, TargetWorkers, operation, state, workers);
    }

    private void ControlReload(ControlSession session)
    {
        var result = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var unsubscribe = StreamWorkerEvents(session);
        session.Send(new ControlResponse.Progress("accepted", "Rolling reload requested"));
        StartReload(result);
        CompleteWhenDone(session, result.Task, r => new ControlResponse.Result("reload", r.Succeeded ? "reloaded" : "aborted", r.Succeeded, r.Message, Generation: r.Generation), unsubscribe);
    }

    private void ControlScale(ControlSession session, ControlRequest.Scale request)
    {
        if (request.Workers is null == request.Delta is null)
        {
            session.Complete(new ControlResponse.Error(ControlErrorCodes.BadRequest, ClusterErrorMessages.ControlBadRequest("a scale request needs exactly one of 'workers' and 'delta'")));
            return;
        }

        var result = new TaskCompletionSource<ScaleResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Send(new ControlResponse.Progress("accepted", "Scale requested"));
        StartScale(new SupervisorEvent.Scale(request.Workers, request.Delta, result, session.Send));
        CompleteWhenDone(session, result.Task, r => new ControlResponse.Result("scale", r.Outcome.ToString().ToLowerInvariant(), r.Succeeded, r.Message, Workers: r.Workers, Previous: r.Previous));
    }

    private void ControlStop(ControlSession session, ControlRequest.Stop request)
    {
        if (request.TimeoutSeconds is { } seconds && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            // This stop's drain timeout; the options object is the supervisor's own copy.
            _options.DrainTimeout = TimeSpan.FromSeconds(seconds);
        }

        if (_state != State.Running)
        {
            session.Send(new ControlResponse.Progress("stopping", "The cluster is already stopping"));
            _control.WaitForStop(session);
            return;
        }

        _control.WaitForStop(session);
        _ = StreamWorkerEvents(session);
        session.Send(new ControlResponse.Progress("stopping", $"Stopping {_workers.Count} worker(s); in-flight requests get {_options.DrainTimeout.TotalSeconds:0.#} s"));
        BeginStop(ClusterExitCodes.Ok, "stop requested on the control socket");
    }

    /// <summary>
    /// When <paramref name="operation"/> ends (off the loop: its result is set on the loop, the continuation runs on the
    /// pool): stops streaming worker events to <paramref name="session"/> when it streamed them, then completes the
    /// session with the result line <paramref name="describe"/> makes.
    /// </summary>
    private static void CompleteWhenDone<T>(ControlSession session, Task<T> operation, Func<T, ControlResponse> describe, Action? unsubscribe = null) =>
        _ = operation.ContinueWith(
            t =>
            {
                unsubscribe?.Invoke();
                session.Complete(describe(t.Result));
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>The state a status or metrics report shows for a worker in the table (spares are listed as "spare").</summary>
    private static string StatusText(WorkerState state) => state switch
    {
        WorkerState.Draining => "draining",
        WorkerState.Starting => "starting",
        _ => "ready",
    };

    /// <summary>A worker became ready (its first listening), raised on the loop before reload, scale and spares act on it.</summary>
    private event Action<ClusterWorker>? WorkerReadyForControl;

    /// <summary>Streams forks, readiness and exits to <paramref name="session"/> until the returned action is called.</summary>
    private Action StreamWorkerEvents(ControlSession session)
    {
        EventHandler<ClusterWorkerEventArgs> forked = (_, e) =>
            session.Send(new ControlResponse.Progress("forked", $"Started {e.Worker}", e.Worker.Id, e.Worker.Pid, e.Worker.Generation));

        // Sent when the worker becomes ready, before the reload or scale that waits for it can end (and end the session).
        Action<ClusterWorker> ready = w =>
            session.Send(new ControlResponse.Progress("ready", $"{w} is ready", w.Id, w.Pid, w.Generation));
        EventHandler<WorkerExitedEventArgs> exited = (_, e) =>
            session.Send(new ControlResponse.Progress("exited", $"{e.Worker} {ClusterErrorMessages.DescribeExit(e.ExitCode, e.Signal)}", e.Worker.Id, e.Worker.Pid, e.Worker.Generation));
        WorkerForked += forked;
        WorkerReadyForControl += ready;
        WorkerExited += exited;
        return () =>
        {
            WorkerForked -= forked;
            WorkerReadyForControl -= ready;
            WorkerExited -= exited;
        };
    }
}
