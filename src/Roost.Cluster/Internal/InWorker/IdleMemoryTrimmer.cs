using Roost.Clustering.Internal.Interop;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// Gives memory back to the system when a worker goes idle after a burst (thousands of connections, an attack):
/// a compacting full collection that decommits the managed heap's free regions (<see cref="GCCollectionMode.Aggressive"/>),
/// then glibc's malloc_trim for the native side (OpenSSL's per-connection state is malloc'd; glibc keeps freed
/// chunks in its arenas). Measured in benchmarks/results (abuse memory): without it, a worker that held 2,000 idle
/// TLS connections stayed at its peak RSS after they closed, whatever the GC settings.
/// </summary>
/// <remarks>
/// Runs on the heartbeat tick. Trims only when (1) the worker allocated less than <see cref="IdleAllocationBytes"/>
/// since the previous tick — idle, so the blocking collection delays no one — (2) its RSS is more than
/// <see cref="Slack"/> above the lowest RSS seen since start, and (3) the last trim is at least
/// <see cref="MinimumInterval"/> ago. <c>ROOST_IDLE_TRIM=0</c> in the worker's environment turns it off.
/// </remarks>
internal sealed class IdleMemoryTrimmer
{
    /// <summary>Allocation between two ticks below which the worker counts as idle (an idle worker allocates a few KB).</summary>
    public const long IdleAllocationBytes = 1 << 20;

    /// <summary>RSS growth over the lowest RSS seen that is worth a trim.</summary>
    public const long Slack = 16L << 20;

    /// <summary>The environment variable that turns trimming off when set to 0.</summary>
    public const string Variable = "ROOST_IDLE_TRIM";

    /// <summary>At most one trim per this interval.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(30);

    private readonly long _slack;
    private readonly Func<long> _allocated;
    private readonly Func<long> _rss;
    private readonly Action _trim;
    private readonly TimeProvider _time;
    private long _lastAllocated;
    private long _lowestRss = long.MaxValue;
    private DateTimeOffset _lastTrim = DateTimeOffset.MinValue;

    public IdleMemoryTrimmer(Func<long> allocated, Func<long> rss, Action trim, TimeProvider time, long slack = Slack)
    {
        _slack = slack;
        _allocated = allocated;
        _rss = rss;
        _trim = trim;
        _time = time;
        _lastAllocated = allocated();
    }

    /// <summary>How many trims ran.</summary>
    public int Trims { get; private set; }

    /// <summary>The trimmer of this process (GC totals, RSS from the runtime, the real trim), trimming above <paramref name="slack"/>.</summary>
    public static IdleMemoryTrimmer? ForThisProcess(long slack = Slack) =>
        Environment.GetEnvironmentVariable(Variable) == "0"
            ? null
            : new IdleMemoryTrimmer(static () => GC.GetTotalAllocatedBytes(), static () => Environment.WorkingSet, TrimNow, TimeProvider.System, slack);

    /// <summary>One heartbeat: trims when the worker is idle and holds memory it did not hold before.</summary>
    public void Tick()
    {
        var allocated = _allocated();
        var idle = allocated - _lastAllocated < IdleAllocationBytes;
        _lastAllocated = allocated;
        var rss = _rss();
        _lowestRss = Math.Min(_lowestRss, rss);
        var now = _time.GetUtcNow();
        if (!idle || rss - _lowestRss <= _slack || now - _lastTrim < MinimumInterval)
        {
            return;
        }

        _lastTrim = now;
        Trims++;
        _trim();
        // The trim's own allocations do not make the next tick look busy.
        _lastAllocated = _allocated();
    }

    private static void TrimNow()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            _ = Libc.MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): the managed side was still trimmed.
        }
    }
}
