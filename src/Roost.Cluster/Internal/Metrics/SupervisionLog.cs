using Microsoft.Extensions.Logging;

namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// Keeps the last supervision events and counts them by kind, from the supervisor's own log events (their ids are
/// stable and never reused, see <see cref="ClusterEventIds"/>): the supervisor needs no second reporting path, and what
/// the dashboard lists is exactly what the log says. Thread-safe (the control server logs from its own threads).
/// </summary>
internal sealed class SupervisionLog
{
    /// <summary>How many events are kept.</summary>
    public const int Capacity = 100;

    private readonly Queue<SupervisionEntry> _entries = new(Capacity);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _starts;
    private long _exits;
    private long _crashes;
    private long _heartbeatKills;
    private long _respawns;
    private long _reloads;
    private long _reloadsAborted;
    private long _recycles;
    private long _certificateReloads;
    private long _scales;

    public SupervisionLog(TimeProvider time) => _time = time;

    /// <summary>Wraps <paramref name="inner"/>: every entry at Information or above is kept here, whatever <paramref name="inner"/>'s level.</summary>
    public ILogger Wrap(ILogger inner) => new TeeLogger(inner, this);

    public SupervisionCounts Counts()
    {
        lock (_gate)
        {
            return new(_starts, _exits, _crashes, _heartbeatKills, _respawns, _reloads, _reloadsAborted, _recycles, _certificateReloads, _scales);
        }
    }

    public IReadOnlyList<SupervisionEntry> Entries()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    private void Add(LogLevel level, EventId eventId, string message, int? workerId)
    {
        lock (_gate)
        {
            Count(eventId.Id);
            if (_entries.Count == Capacity)
            {
                _entries.Dequeue();
            }

            _entries.Enqueue(new SupervisionEntry(_time.GetUtcNow(), eventId.Id, eventId.Name ?? string.Empty, level.ToString(), message, workerId));
        }
    }

    private void Count(int id)
    {
        switch (id)
        {
            case ClusterEventIds.WorkerForked or ClusterEventIds.SpareForked:
                _starts++;
                break;
            case ClusterEventIds.WorkerExitedAsked:
                _exits++;
                break;
            case ClusterEventIds.WorkerExited:
                _crashes++;
                break;
            case ClusterEventIds.HeartbeatMissed:
                _heartbeatKills++;
                break;
            case ClusterEventIds.WorkerRestarting or ClusterEventIds.SparePromoted:
                _respawns++;
                break;
            case ClusterEventIds.ReloadCompleted:
                _reloads++;
                break;
            case ClusterEventIds.ReloadAborted:
                _reloadsAborted++;
                break;
            case ClusterEventIds.RecycleCompleted:
                _recycles++;
                break;
            case ClusterEventIds.CertificatesReloadCompleted:
                _certificateReloads++;
                break;
            case ClusterEventIds.ScaleCompleted:
                _scales++;
                break;
        }
    }

    /// <summary>The supervisor's logger: forwards to the configured one and keeps Information and above here.</summary>
    private sealed class TeeLogger(ILogger inner, SupervisionLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Information && logLevel != LogLevel.None && eventId.Id != 0)
            {
                log.Add(logLevel, eventId, formatter(state, exception), WorkerIdOf(state));
            }

            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }

        private static int? WorkerIdOf<TState>(TState state)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == "WorkerId" && value is int id)
                    {
                        return id;
                    }
                }
            }

            return null;
        }
    }
}
