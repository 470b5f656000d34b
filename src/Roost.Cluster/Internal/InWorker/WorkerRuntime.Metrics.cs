using Roost.Internal.Metrics;

namespace Roost.Internal.InWorker;

/// <summary>Metrics: the worker's counters in the shared block the primary made for it (<see cref="WorkerEnvironment.MetricsFile"/>).</summary>
internal sealed partial class WorkerRuntime
{
    private WorkerMeters? _meters;

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
}
