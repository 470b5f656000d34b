namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The TLS-ALPN-01 challenges the primary hands to its workers (Supervisor.AcmeChallenges.cs): whether the supervisor
/// listens to the ACME manager's table, and, per challenge sent, the workers that have not yet said they hold it. The
/// ACME issuer tells the CA to validate only when each of them answered (<c>acme-challenge-held</c>), exited, or
/// <see cref="HoldTimeout"/> passed. Called from the ACME manager's thread (<see cref="Sent"/>) and the supervisor's
/// loop (<see cref="Held"/>, <see cref="Gone"/>).
/// </summary>
internal sealed class AcmeChallengeDistribution(TimeProvider time)
{
    /// <summary>
    /// How long the issuer waits for the workers' answers. A worker answers within milliseconds (one IPC round trip);
    /// one that does not (hung, or dying) is named in a warning and the CA is told anyway: it may reach that worker
    /// and fail, and the order is retried.
    /// </summary>
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<Delivery> _deliveries = [];
    private int _watching;

    /// <summary>Marks the table as watched; <see langword="true"/> the first time (subscribe then).</summary>
    public bool StartWatching() => Interlocked.Exchange(ref _watching, 1) == 0;

    /// <summary>Marks the table as no longer watched; <see langword="true"/> when it was (unsubscribe then).</summary>
    public bool StopWatching() => Interlocked.Exchange(ref _watching, 0) == 1;

    /// <summary>
    /// Records that the challenge for <paramref name="name"/> (<paramref name="digest"/>, base64) was sent to
    /// <paramref name="workers"/>. The task completes when each of them holds it or is gone, or after
    /// <see cref="HoldTimeout"/>, with the workers that did not answer (id, pid).
    /// </summary>
    public Task<IReadOnlyList<(int Id, int Pid)>> Sent(string name, string digest, IReadOnlyList<(int Id, int Pid)> workers)
    {
        var delivery = new Delivery(name, digest);
        foreach (var worker in workers)
        {
            delivery.Waiting[worker.Id] = worker.Pid;
        }

        lock (_gate)
        {
            if (delivery.Waiting.Count == 0)
            {
                return Task.FromResult<IReadOnlyList<(int Id, int Pid)>>([]);
            }

            _deliveries.Add(delivery);
        }

        return WaitAsync(delivery);
    }

    /// <summary>Worker <paramref name="workerId"/> holds the challenge for <paramref name="name"/> with <paramref name="digest"/>.</summary>
    public void Held(int workerId, string name, string digest)
    {
        lock (_gate)
        {
            foreach (var delivery in _deliveries)
            {
                if (string.Equals(delivery.Name, name, StringComparison.OrdinalIgnoreCase) && delivery.Digest == digest)
                {
                    Remove(delivery, workerId);
                }
            }
        }
    }

    /// <summary>Worker <paramref name="workerId"/> exited or lost its channel: nobody waits for its answer.</summary>
    public void Gone(int workerId)
    {
        lock (_gate)
        {
            foreach (var delivery in _deliveries)
            {
                Remove(delivery, workerId);
            }
        }
    }

    private static void Remove(Delivery delivery, int workerId)
    {
        if (delivery.Waiting.Remove(workerId) && delivery.Waiting.Count == 0)
        {
            delivery.Done.TrySetResult();
        }
    }

    private async Task<IReadOnlyList<(int Id, int Pid)>> WaitAsync(Delivery delivery)
    {
        try
        {
            await delivery.Done.Task.WaitAsync(HoldTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Reported by the caller with the workers still waited for.
        }

        lock (_gate)
        {
            _deliveries.Remove(delivery);
            return [.. delivery.Waiting.Select(w => (w.Key, w.Value))];
        }
    }

    private sealed class Delivery(string name, string digest)
    {
        public string Name { get; } = name;

        public string Digest { get; } = digest;

        /// <summary>Worker id → pid, of the workers that have not answered.</summary>
        public Dictionary<int, int> Waiting { get; } = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
