using Microsoft.Extensions.Logging;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// The primary's side of the metrics: one <see cref="MetricsBlock"/> per worker process, the counts of the workers
/// that are gone (per slot, so totals never go backwards when a worker dies or is replaced), CPU samples, and the
/// <see cref="SupervisionLog"/>. Owned by the supervisor loop (not thread-safe), except <see cref="Supervision"/>.
/// </summary>
/// <remarks>
/// Lifetime of a block: created before the worker's spawn (its path in the worker's environment) → mapped by the
/// worker at startup → unlinked when the worker is online (both sides hold mappings) → read for every snapshot →
/// folded into its slot's retired counts when the process has exited (a <c>kill -9</c>ed worker's counts included) → unmapped.
/// </remarks>
internal sealed partial class ClusterMetrics : IDisposable
{
    private readonly Dictionary<int, MetricsBlock> _blocks = [];
    private readonly Dictionary<int, long[]> _retired = [];
    private readonly Dictionary<int, RateWindow> _windows = [];
    private readonly RateWindow _totalWindow = new();
    private readonly RateWindow _primaryWindow = new();
    private readonly long[] _retiredTotal = new long[MetricsBlock.Length];
    private readonly ILogger _logger;

    public ClusterMetrics(ILogger logger, SupervisionLog supervision)
    {
        _logger = logger;
        Supervision = supervision;
    }

    /// <summary>Gets the supervision events and counts.</summary>
    public SupervisionLog Supervision { get; }

    /// <summary>Creates the block of a worker about to start; <see langword="null"/> (logged) when it cannot be made.</summary>
    public string? Attach(int workerId)
    {
        try
        {
            var block = MetricsBlock.Create(workerId);
            _blocks[workerId] = block;
            return block.Path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.BlockFailed(_logger, workerId, ex.Message);
            return null;
        }
    }

    /// <summary>The worker mapped its block (it is online): the file's name is no longer needed.</summary>
    public void Online(int workerId)
    {
        if (_blocks.TryGetValue(workerId, out var block))
        {
            block.Unlink();
        }
    }

    /// <summary>The worker's process is gone (or never started): its counts join its slot's, the block is released.</summary>
    public void Retire(int workerId, int slot)
    {
        if (!_blocks.Remove(workerId, out var block))
        {
            return;
        }

        block.Unlink();
        _windows.Remove(workerId);
        if (slot >= 0 && block.IsValid)
        {
            var values = block.ReadAll();
            var retired = RetiredOf(slot);
            foreach (var index in CounterSlots)
            {
                retired[index] += values[index];
                _retiredTotal[index] += values[index];
            }
        }

        block.Dispose();
    }

    public void Dispose()
    {
        foreach (var block in _blocks.Values)
        {
            block.Unlink();
            block.Dispose();
        }

        _blocks.Clear();
    }

    private long[] RetiredOf(int slot)
    {
        if (!_retired.TryGetValue(slot, out var retired))
        {
            retired = new long[MetricsBlock.Length];
            _retired[slot] = retired;
        }

        return retired;
    }

    private long[] Read(int workerId) =>
        _blocks.TryGetValue(workerId, out var block) && block.IsValid ? block.ReadAll() : new long[MetricsBlock.Length];

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.MetricsBlockFailed, LogLevel.Warning, "Cannot create the metrics block of worker {WorkerId}: {Reason}; its counters stay at zero", EventName = "MetricsBlockFailed")]
        public static partial void BlockFailed(ILogger logger, int workerId, string reason);
    }
}
