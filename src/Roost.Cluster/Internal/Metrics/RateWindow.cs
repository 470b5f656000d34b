namespace Roost.Clustering.Internal.Metrics;

/// <summary>
/// Two samples of a set of cumulative values at least <see cref="MinimumWindow"/> apart: rates over "the last second
/// or more" whoever asks and however often (the dashboard, <c>roost top</c> and a scraper may all ask within the same
/// millisecond without shrinking each other's window to nothing).
/// </summary>
internal sealed class RateWindow
{
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(1);

    private (DateTimeOffset Time, long[] Values, double Cpu)? _previous;
    private (DateTimeOffset Time, long[] Values, double Cpu)? _last;

    /// <summary>Adds a sample; returns the values and time to compare it with (the newest sample at least a window older), if any.</summary>
    public (long[] Values, double Cpu, double Seconds)? Update(DateTimeOffset now, long[] values, double cpu)
    {
        if (_last is not { } last || now - last.Time >= MinimumWindow)
        {
            _previous = _last;
            _last = (now, values, cpu);
        }

        return _previous is { } previous && now > previous.Time
            ? (previous.Values, previous.Cpu, (now - previous.Time).TotalSeconds)
            : null;
    }
}
