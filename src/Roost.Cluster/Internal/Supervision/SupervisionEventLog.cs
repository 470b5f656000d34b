using Microsoft.Extensions.Logging;
using Roost.Internal.Control;

namespace Roost.Internal.Supervision;

/// <summary>
/// The primary's recent supervision events (forks, readiness, exits with code or signal, respawns, reloads, recycles,
/// scaling, certificate reloads) for <c>roost top</c> and the dashboard: the supervisor's own log entries of level
/// Information and above, kept in a ring of <see cref="Capacity"/>, as the logger the supervisor writes through.
/// </summary>
/// <remarks>
/// Taking the log entries rather than adding a second report at each decision keeps one wording (the log's, with the
/// worker's identity) and cannot miss an event the log has. Entries below the wrapped logger's level are recorded too
/// (the primary of a Cluster program without logging still has its event log) but not written.
/// </remarks>
internal sealed class SupervisionEventLog(ILogger inner) : ILogger
{
    /// <summary>How many events are kept.</summary>
    public const int Capacity = 100;

    private readonly Queue<SupervisionEvent> _events = new(Capacity);
    private readonly Lock _gate = new();

    /// <summary>The most recent events, oldest first (at most <paramref name="count"/>).</summary>
    public IReadOnlyList<SupervisionEvent> Recent(int count = Capacity)
    {
        lock (_gate)
        {
            return [.. _events.Skip(Math.Max(0, _events.Count - count))];
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None || inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (inner.IsEnabled(logLevel))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        if (logLevel is < LogLevel.Information or LogLevel.None)
        {
            return;
        }

        int? workerId = null, pid = null, generation = null;
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                switch (key)
                {
                    case "WorkerId" when value is int id:
                        workerId = id;
                        break;
                    case "Pid" when value is int p:
                        pid = p;
                        break;
                    case "Generation" when value is int g:
                        generation = g;
                        break;
                }
            }
        }

        var entry = new SupervisionEvent(DateTimeOffset.UtcNow, Level(logLevel), eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), formatter(state, exception), workerId, pid, generation);
        lock (_gate)
        {
            if (_events.Count == Capacity)
            {
                _events.Dequeue();
            }

            _events.Enqueue(entry);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical",
    };
}
