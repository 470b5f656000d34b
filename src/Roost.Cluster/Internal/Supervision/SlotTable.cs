namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The slots' own state beyond the worker in each: the slots waiting for a respawn (and those of them a scale down
/// cancelled), how often each slot was restarted, and the fork environment a slot's respawn gets. Owned by the
/// supervisor loop (Supervisor.Workers.cs and Supervisor.Scale.cs decide; this keeps the books).
/// </summary>
internal sealed class SlotTable
{
    private readonly HashSet<int> _pending = [];
    private readonly HashSet<int> _cancelled = [];
    private readonly Dictionary<int, int> _restarts = [];
    private readonly Dictionary<int, IReadOnlyDictionary<string, string?>?> _environments = [];

    /// <summary>Gets the slots waiting for a respawn (a scale down may have cancelled some of them).</summary>
    public IReadOnlyCollection<int> Pending => _pending;

    /// <summary>Gets the slots waiting for a respawn that will run (not cancelled by a scale down).</summary>
    public IEnumerable<int> LivePending => _pending.Where(s => !_cancelled.Contains(s));

    /// <summary>Gets how many times <paramref name="slot"/>'s worker was restarted (<c>ClusterWorker.Restarts</c>).</summary>
    public int Restarts(int slot) => _restarts.GetValueOrDefault(slot);

    /// <summary>Gets the fork environment of the worker that last died in <paramref name="slot"/> (its respawn gets it).</summary>
    public IReadOnlyDictionary<string, string?>? Environment(int slot) => _environments.GetValueOrDefault(slot);

    /// <summary>The lowest slot with no worker among <paramref name="workers"/> and no respawn pending.</summary>
    public int NextFree(IEnumerable<WorkerProcess> workers)
    {
        var used = workers.Select(w => w.Slot).ToHashSet();
        var slot = 0;
        while (used.Contains(slot) || _pending.Contains(slot))
        {
            slot++;
        }

        return slot;
    }

    /// <summary>The policy restarts <paramref name="dead"/>: its slot counts one more restart and keeps its fork environment.</summary>
    public void Restarting(WorkerProcess dead)
    {
        _restarts[dead.Slot] = Restarts(dead.Slot) + 1;
        _environments[dead.Slot] = dead.ForkEnvironment;
    }

    /// <summary>A cold respawn of <paramref name="slot"/> is scheduled (after the backoff).</summary>
    public void RespawnScheduled(int slot) => _pending.Add(slot);

    /// <summary>The backoff of <paramref name="slot"/>'s respawn elapsed: the slot is no longer pending.</summary>
    public void RespawnDue(int slot) => _pending.Remove(slot);

    /// <summary>Returns <see langword="true"/> (once) when a scale down cancelled <paramref name="slot"/>'s respawn.</summary>
    public bool TakeCancelled(int slot) => _cancelled.Remove(slot);

    /// <summary>A scale down removes <paramref name="slot"/>: its pending respawn, if any, will not run.</summary>
    public void CancelRespawn(int slot)
    {
        if (_pending.Contains(slot))
        {
            _cancelled.Add(slot);
        }
    }

    /// <summary>A scale up fills <paramref name="slot"/>: a respawn cancelled there earlier stays cancelled no more.</summary>
    public void Reuse(int slot) => _cancelled.Remove(slot);

    /// <summary>The cluster stops: no respawn is pending any more.</summary>
    public void ClearPending() => _pending.Clear();
}
