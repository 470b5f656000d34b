namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The hot spares' own state: the spares not promoted yet, which of them are online, and what keeps new ones from
/// starting (turned off after a boot failure, a pending start, the quiet time after a reload, deaths in a row).
/// Owned by the supervisor loop (Supervisor.Spare.cs decides; this keeps the books).
/// </summary>
internal sealed class SparePool
{
    private const int MaxDeathsInARow = 3;

    private readonly Dictionary<int, WorkerProcess> _spares = [];
    private readonly HashSet<int> _online = [];

    /// <summary>Gets every spare not promoted yet, those asked to stop included (until they exit).</summary>
    public IReadOnlyCollection<WorkerProcess> Values => _spares.Values;

    public int Count => _spares.Count;

    /// <summary>Gets the spares not asked to stop.</summary>
    public int Active => _spares.Values.Count(s => s.State != WorkerState.Draining);

    /// <summary>Gets a value indicating whether no spare is started until the next successful reload.</summary>
    public bool TurnedOff { get; private set; }

    /// <summary>Gets or sets a value indicating whether a <c>SpareDue</c> timer is pending (no start before it fires).</summary>
    public bool DuePending { get; set; }

    /// <summary>Gets how many spares in a row died while waiting (a spare reaching waiting resets it).</summary>
    public int DeathsInARow { get; private set; }

    /// <summary>Gets or sets the time before which no spare starts (the quiet time after a reload).</summary>
    public DateTimeOffset NotBefore { get; set; } = DateTimeOffset.MinValue;

    public void Add(WorkerProcess spare) => _spares[spare.Id] = spare;

    /// <summary>The spare reported online (its application events wait until it is promoted).</summary>
    public void MarkOnline(int id) => _online.Add(id);

    /// <summary>Takes the spare out (promoted or exited); returns whether it had come online.</summary>
    public bool Remove(WorkerProcess spare)
    {
        _spares.Remove(spare.Id);
        return _online.Remove(spare.Id);
    }

    /// <summary>The spare for a slot of <paramref name="generation"/> with <paramref name="environment"/>: a waiting one first, then the oldest.</summary>
    public WorkerProcess? Find(int generation, IReadOnlyDictionary<string, string?>? environment) =>
        _spares.Values
            .Where(s => s.State != WorkerState.Draining && s.Generation == generation && SameEnvironment(s.ForkEnvironment, environment))
            .OrderByDescending(s => s.State == WorkerState.SpareWaiting)
            .ThenBy(s => s.Id)
            .FirstOrDefault();

    /// <summary>No spare is started until the next successful reload.</summary>
    public void TurnOff() => TurnedOff = true;

    /// <summary>A successful reload (new code on disk): a spare may succeed where the last one failed.</summary>
    public void TurnOn()
    {
        TurnedOff = false;
        DeathsInARow = 0;
    }

    /// <summary>A spare reached waiting: the run of deaths is broken.</summary>
    public void SpareWaited() => DeathsInARow = 0;

    /// <summary>A waiting spare died; returns <see langword="true"/> when that makes <see cref="MaxDeathsInARow"/> in a row (the caller turns spares off).</summary>
    public bool DiedWhileWaiting() => ++DeathsInARow >= MaxDeathsInARow;

    private static bool SameEnvironment(IReadOnlyDictionary<string, string?>? a, IReadOnlyDictionary<string, string?>? b)
    {
        if (a is null || a.Count == 0)
        {
            return b is null || b.Count == 0;
        }

        return b is not null && a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }
}
