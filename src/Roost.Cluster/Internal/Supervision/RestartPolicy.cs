namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Decides what happens after a worker exits. Pure: no processes, no timers; time comes from a
/// <see cref="TimeProvider"/> and jitter from a supplied random source, so tests drive it with FakeTimeProvider.
/// </summary>
/// <remarks>
/// Rules, in order:
/// <list type="number">
/// <item>An exit the primary asked for (stop, disconnect) is never restarted.</item>
/// <item>Without <see cref="ClusterOptions.RespawnWorkers"/> (Node's default) nothing is restarted.</item>
/// <item>A worker that exited before it listened is a boot failure: the cluster stops (no restart loop).</item>
/// <item>A worker that ran at least <see cref="ClusterOptions.MinUptime"/> restarts after the initial backoff and
/// resets the backoff (PM2's <c>min_uptime</c> rule: a process that lived is not a crash loop).</item>
/// <item>Otherwise it is a crash: the backoff grows by <see cref="ClusterOptions.BackoffMultiplier"/> per crash in a
/// row up to <see cref="ClusterOptions.MaxBackoff"/>, ± <see cref="ClusterOptions.BackoffJitter"/>; the
/// <see cref="ClusterOptions.MaxCrashes"/>-th crash within <see cref="ClusterOptions.CrashWindow"/> gives up.</item>
/// </list>
/// </remarks>
internal sealed class RestartPolicy(ClusterOptions options, TimeProvider time, Func<double> random)
{
    private readonly Queue<DateTimeOffset> _crashes = new();
    private int _crashesInARow;

    /// <summary>Gets the number of crashes inside the current window.</summary>
    public int CrashesInWindow => _crashes.Count;

    public RestartDecision Decide(bool requested, bool wasReady, TimeSpan uptime)
    {
        if (requested)
        {
            return new RestartDecision(RestartAction.None, TimeSpan.Zero);
        }

        if (!options.RespawnWorkers)
        {
            return new RestartDecision(RestartAction.None, TimeSpan.Zero);
        }

        if (!wasReady)
        {
            return new RestartDecision(RestartAction.BootFailed, TimeSpan.Zero);
        }

        if (uptime >= options.MinUptime)
        {
            _crashesInARow = 0;
            return new RestartDecision(RestartAction.Restart, Jitter(options.InitialBackoff));
        }

        var now = time.GetUtcNow();
        _crashes.Enqueue(now);
        while (_crashes.Count > 0 && now - _crashes.Peek() > options.CrashWindow)
        {
            _crashes.Dequeue();
        }

        if (_crashes.Count >= options.MaxCrashes)
        {
            return new RestartDecision(RestartAction.GiveUp, TimeSpan.Zero);
        }

        _crashesInARow++;
        var delay = options.InitialBackoff.TotalMilliseconds * Math.Pow(options.BackoffMultiplier, _crashesInARow - 1);
        return new RestartDecision(RestartAction.Restart, Jitter(TimeSpan.FromMilliseconds(Math.Min(delay, options.MaxBackoff.TotalMilliseconds))));
    }

    private TimeSpan Jitter(TimeSpan delay)
    {
        // Uniform in [1 - j, 1 + j] × delay, never above MaxBackoff.
        var factor = 1 + (options.BackoffJitter * ((2 * random()) - 1));
        var jittered = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * factor);
        return jittered > options.MaxBackoff ? options.MaxBackoff : jittered;
    }
}
