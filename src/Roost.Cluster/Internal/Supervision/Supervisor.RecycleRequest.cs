using System.Globalization;
using Roost.Clustering.Internal.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Recycling one worker on request (the control socket's <c>recycle</c>: <c>roost top</c> and the dashboard): the same
/// replacement as a limit-driven recycle (Supervisor.Recycle.cs), successor ready first, then the worker drains.
/// </summary>
internal sealed partial class Supervisor
{
    private void ControlRecycle(ControlSession session, ControlRequest.Recycle request)
    {
        if (_state != State.Running)
        {
            session.Complete(new ControlResponse.Result("recycle", "rejected", false, ClusterErrorMessages.RecycleNotRunning()));
            return;
        }

        if (_reload is not null || _scale is not null)
        {
            var running = _reload is not null ? $"rolling reload (to generation {_reload.Generation})" : $"scale (to {_scale!.Target} workers)";
            session.Complete(new ControlResponse.Result("recycle", "busy", false, ClusterErrorMessages.Busy(running, "recycle a worker")));
            return;
        }

        if (!_workers.TryGetValue(request.WorkerId, out var worker) || worker.State == WorkerState.Draining || worker.KilledBySupervisor)
        {
            var serving = string.Join(", ", _workers.Values.Where(w => w.State != WorkerState.Draining).OrderBy(w => w.Id).Select(w => w.Id.ToString(CultureInfo.InvariantCulture)));
            session.Complete(new ControlResponse.Result("recycle", "rejected", false, ClusterErrorMessages.RecycleNoSuchWorker(request.WorkerId, serving)));
            return;
        }

        if (worker.State != WorkerState.Ready)
        {
            session.Complete(new ControlResponse.Result("recycle", "rejected", false, ClusterErrorMessages.RecycleNotReady(worker.Id, worker.Pid, worker.Generation)));
            return;
        }

        var result = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var unsubscribe = StreamWorkerEvents(session);
        session.Send(new ControlResponse.Progress("accepted", $"Recycling {worker.Worker}", worker.Id, worker.Pid, worker.Generation));
        StartRecycle(worker, new RecycleReason("a request on the control socket", "-", "recycle asked for"));
        if (_reload is { } reload)
        {
            reload.Waiters.Add(result);
        }
        else
        {
            result.TrySetResult(ReloadResult.Failed(_generation, ClusterErrorMessages.RecycleNotRunning()));
        }

        CompleteWhenDone(session, result.Task, r => new ControlResponse.Result("recycle", r.Succeeded ? "recycled" : "aborted", r.Succeeded, r.Message, Generation: r.Generation), unsubscribe);
    }
}
