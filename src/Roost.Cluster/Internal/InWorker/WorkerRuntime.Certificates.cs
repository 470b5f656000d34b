using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Control;
using Roost.Clustering.Internal.Ipc;
using Roost.Control;
using Roost.Tls;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>Certificate reload asked by the primary (<c>roost reload --certs-only</c>): the servers' own reload path, no restart.</summary>
internal sealed partial class WorkerRuntime
{
    private async Task ReloadCertificatesAsync(ReloadCertificatesMessage request)
    {
        HttpServer[] servers;
        lock (_gate)
        {
            servers = [.. _servers.Where(s => s.IsSecure)];
        }

        if (servers.Length == 0)
        {
            _channel.Send(new CertificatesReloadedMessage(request.RequestId, [], "the worker has no TLS server"));
            return;
        }

        List<CertificateReport> reports = [];
        string? error = null;
        foreach (var server in servers)
        {
            var endPoint = server.LocalEndPoint is { } local ? HttpServer.Describe(local) : "?";
            try
            {
                // The same path as the file watcher: load, check, swap only what changed and passed.
                var result = await server.ReloadCertificatesAsync(CancellationToken.None).ConfigureAwait(false);
                reports.AddRange(result.Outcomes.Select(o => new CertificateReport(
                    endPoint,
                    o.Name,
                    o.Status.ToString().ToLowerInvariant(),
                    o.OldSerialNumber,
                    o.NewSerialNumber,
                    [.. o.Findings.Where(f => f.Severity == CertificateFindingSeverity.Error).Select(f => f.Message)])));
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or IOException)
            {
                // The server is closing (the worker drains): report it, the primary shows it per worker.
                error = ex.Message;
                Log.CertificatesReloadFailed(_logger, Self.Id, Self.Pid, Self.Generation, ex.Message);
            }
        }

        _channel.Send(new CertificatesReloadedMessage(request.RequestId, reports, error));
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.CertificatesReloadFailed, LogLevel.Warning, "worker {WorkerId} (pid {Pid}, generation {Generation}) could not reload its certificates: {Reason}", EventName = "CertificatesReloadFailed")]
        public static partial void CertificatesReloadFailed(ILogger logger, int workerId, int pid, int generation, string reason);
    }
}
