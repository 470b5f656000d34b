using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Ipc;
using Roost.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Certificate reload in every worker without restarting it (<c>roost reload --certs-only</c>): each ready worker gets
/// <see cref="ReloadCertificatesMessage"/>, re-reads its certificate files through its servers' own reload path (a bad
/// new set keeps the old certificate) and answers; the primary reports per worker. Runs next to a reload or scale
/// (it restarts nothing); a worker that does not answer within <see cref="CertificateReloadTimeout"/> is reported.
/// </summary>
internal sealed partial class Supervisor
{
    private static readonly TimeSpan CertificateReloadTimeout = TimeSpan.FromSeconds(30);

    private readonly CertificateDistribution _certificates = new();

    /// <param name="session">The control session that asked (<c>roost reload --certs-only</c>), or <see langword="null"/> when the primary saw renewed TLS files (the outcome is then only logged).</param>
    private void StartCertificateReload(ControlSession? session)
    {
        if (_state != State.Running)
        {
            session?.Complete(new ControlResponse.Result("reload-certs", "failed", false, ClusterErrorMessages.CertificatesNotRunning()));
            return;
        }

        var workers = _workers.Values.Where(w => w.State == WorkerState.Ready).ToList();
        if (workers.Count == 0)
        {
            session?.Complete(new ControlResponse.Result("reload-certs", "failed", false, ClusterErrorMessages.CertificatesNoWorkers()));
            return;
        }

        var operation = new CertificateReloadOperation(session, _time.GetUtcNow() + CertificateReloadTimeout);
        var id = _certificates.AddReload(operation);
        Log.CertificatesReloadStarted(_logger, workers.Count);
        session?.Send(new ControlResponse.Progress("accepted", $"Reloading certificates in {workers.Count} worker(s)"));
        foreach (var worker in workers)
        {
            // Workers started with --user read no TLS file: the primary sends the current files first (same channel, in order).
            SendTlsFiles(worker.Channel);
            if (worker.Channel.Send(new ReloadCertificatesMessage(id)))
            {
                operation.Waiting[worker.Id] = worker;
            }
            else
            {
                operation.Results.Add(new WorkerCertificates(worker.Id, worker.Pid, worker.Generation, false, "its IPC channel is closed", []));
            }
        }

        FinishCertificateReloadIfDone(id, operation);
    }

    private void OnCertificatesReloaded(WorkerProcess worker, CertificatesReloadedMessage message)
    {
        if (!_certificates.TryGetReload(message.RequestId, out var operation) || !operation.Waiting.Remove(worker.Id))
        {
            return;
        }

        var ok = message.Error is null && message.Certificates.All(c => c.Status != "rejected");
        operation.Results.Add(new WorkerCertificates(worker.Id, worker.Pid, worker.Generation, ok, message.Error, message.Certificates));
        var summary = string.Join(", ", message.Certificates.Select(c => $"{c.Name} {c.Status} (serial {c.NewSerialNumber})"));
        operation.Session?.Send(new ControlResponse.Progress("certificates", $"{worker.Worker}: {(message.Error ?? summary)}", worker.Id, worker.Pid, worker.Generation));
        FinishCertificateReloadIfDone(message.RequestId, operation);
    }

    private void CheckCertificateReloads()
    {
        foreach (var (id, operation) in _certificates.Overdue(_time.GetUtcNow()))
        {
            foreach (var worker in operation.Waiting.Values)
            {
                operation.Results.Add(new WorkerCertificates(worker.Id, worker.Pid, worker.Generation, false, ClusterErrorMessages.CertificatesNoAnswer(worker.Id, worker.Pid, worker.Generation, CertificateReloadTimeout), []));
            }

            operation.Waiting.Clear();
            FinishCertificateReloadIfDone(id, operation);
        }
    }

    private void FinishCertificateReloadIfDone(int id, CertificateReloadOperation operation)
    {
        if (operation.Waiting.Count > 0)
        {
            return;
        }

        _certificates.RemoveReload(id);
        var results = operation.Results.OrderBy(r => r.WorkerId).ToList();
        var all = results.SelectMany(r => r.Certificates).ToList();
        var rejected = all.Where(c => c.Status == "rejected").ToList();
        var failed = results.Where(r => r.Error is not null).ToList();
        var outcome = failed.Count > 0 ? "failed" : rejected.Count > 0 ? "rejected" : all.Any(c => c.Status == "reloaded") ? "reloaded" : "unchanged";
        string? message = null;
        if (rejected.Count > 0)
        {
            message = "The new certificate files were rejected and the old certificate keeps serving: " + string.Join(" ", rejected.SelectMany(c => c.Errors).Distinct());
        }
        else if (failed.Count > 0)
        {
            message = string.Join(" ", failed.Select(f => $"worker {f.WorkerId} (pid {f.Pid}): {f.Error}"));
        }

        Log.CertificatesReloadCompleted(_logger, outcome, results.Count);
        if (message is not null && operation.Session is null)
        {
            Log.CertificatesReloadProblem(_logger, message);
        }

        operation.Session?.Complete(new ControlResponse.Result("reload-certs", outcome, outcome is "reloaded" or "unchanged", message, Certificates: results));
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.CertificatesReloadStarted, LogLevel.Information, "Reloading certificates in {WorkerCount} worker(s) (no restart)", EventName = "CertificatesReloadStarted")]
        public static partial void CertificatesReloadStarted(ILogger logger, int workerCount);

        [LoggerMessage(ClusterEventIds.CertificatesReloadCompleted, LogLevel.Information, "Certificate reload done: {Outcome} in {WorkerCount} worker(s)", EventName = "CertificatesReloadCompleted")]
        public static partial void CertificatesReloadCompleted(ILogger logger, string outcome, int workerCount);

        [LoggerMessage(ClusterEventIds.CertificatesReloadProblem, LogLevel.Warning, "Certificate reload after renewed TLS files: {Message}", EventName = "CertificatesReloadProblem")]
        public static partial void CertificatesReloadProblem(ILogger logger, string message);
    }
}
