using System.Collections.Concurrent;

namespace Roost.Abuse;

/// <summary>
/// What the server answered during an attack, counted by kind ("408 then closed", "GOAWAY ENHANCE_YOUR_CALM",
/// "reset", "still open at the end"…), and how long connections lived before the server ended them.
/// </summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<double> _closeSeconds = [];
    private long _connections;
    private long _sent;

    /// <summary>Connections opened by the attack.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Attack units sent (requests, frames or bytes, per attack).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Answer kind → count.</summary>
    public IReadOnlyDictionary<string, int> Answers => _answers;

    /// <summary>Seconds from connect to the server ending the connection, for connections the server ended.</summary>
    public IReadOnlyCollection<double> CloseSeconds => _closeSeconds;

    public void Connected() => Interlocked.Increment(ref _connections);

    public void Add(long sent) => Interlocked.Add(ref _sent, sent);

    public void Answer(string kind) => _answers.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public void ServerEnded(TimeSpan after) => _closeSeconds.Add(after.TotalSeconds);

    /// <summary>How many answers contain <paramref name="text"/>.</summary>
    public int Count(string text) => _answers.Where(a => a.Key.Contains(text, StringComparison.Ordinal)).Sum(a => a.Value);

    /// <summary>"408 then closed ×12, reset ×1" — most frequent first.</summary>
    public override string ToString() =>
        _answers.IsEmpty ? "nothing" : string.Join(", ", _answers.OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} ×{a.Value}"));
}
