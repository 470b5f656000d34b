namespace Roost.Testing;

/// <summary>One notification: when it arrived (CLOCK_MONOTONIC, microseconds) and its text (<c>KEY=value</c> lines).</summary>
public sealed record NotifyDatagram(long ArrivedMicroseconds, string Text)
{
    public bool Has(string assignment) => Text.Split('\n').Contains(assignment);

    public string? Value(string key) =>
        Text.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    public override string ToString() => $"{ArrivedMicroseconds}: {Text.Replace('\n', '|')}";
}
