using Roost.Clustering.Internal.Metrics;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>Metrics: the worker's counters in the shared block the primary made for it (<see cref="WorkerEnvironment.MetricsFile"/>).</summary>
internal sealed partial class WorkerRuntime
{
    private WorkerMeters? _meters;
    private OpenTelemetry.Metrics.MeterProvider? _otlp;

    private void StartMetrics(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        try
        {
            _meters = new WorkerMeters(MetricsBlock.Open(path), counting: !IsWaitingSpare);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Metrics are not worth a worker: the primary shows this worker's counters as zero.
            Log.MetricsUnavailable(_logger, Self.Id, Self.Pid, Self.Generation, path, ex.Message);
        }
    }

    private void StartOtlp(string? endpoint, string? serviceName, int primaryPid)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return;
        }

        var meters = _meters;
        _otlp = OtlpExport.StartInWorker(
            uri,
            serviceName ?? "roost",
            OtlpExport.InstanceId(primaryPid, "worker-" + Self.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Self.Id,
            Self.Generation,
            meters is null ? null : meters.RequestsDrained);
    }

    /// <summary>Exports the last measurements before the process exits (bounded by the exporter's timeout).</summary>
    private void StopOtlp() => Interlocked.Exchange(ref _otlp, null)?.Dispose();
}
