using Microsoft.Extensions.Logging;

namespace Roost.Server.Internal.Http2Guard;

/// <summary>
/// A flood costs the log a bounded amount: one warning per abusive connection for the first
/// <see cref="LinesPerInterval"/> in each <see cref="Interval"/>, then one summary line per interval with the counts of
/// the connections not logged one by one.
/// </summary>
internal sealed class Http2AbuseLog(ILogger logger)
{
    /// <summary>How many abusive connections are logged one by one per interval.</summary>
    public const int LinesPerInterval = 5;

    /// <summary>The interval of the summary line.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly long[] _suppressed = new long[Enum.GetValues<Http2Abuse>().Length];
    private long _windowStart = long.MinValue;
    private int _logged;
    private Timer? _summary;

    /// <summary>Gets how many abusive connections were closed in all.</summary>
    public long Total { get; private set; }

    public void Closed(ConnectionGuard connection)
    {
        lock (_gate)
        {
            Total++;
            var now = Environment.TickCount64;
            if (now - _windowStart >= (long)Interval.TotalMilliseconds)
            {
                FlushSummaryLocked();
                _windowStart = now;
                _logged = 0;
            }

            if (_logged < LinesPerInterval)
            {
                _logged++;
                Log.Http2AbuseClosed(logger, connection.Remote, Describe(connection.Abuse), connection.AbuseCount, connection.Frames, connection.Resets);
                return;
            }

            _suppressed[(int)connection.Abuse]++;
            // The summary comes at the end of this interval even if no other connection follows.
            _summary ??= new Timer(static state => ((Http2AbuseLog)state!).OnSummaryTimer(), this, Interval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSummaryTimer()
    {
        lock (_gate)
        {
            FlushSummaryLocked();
            _windowStart = Environment.TickCount64;
            _logged = 0;
        }
    }

    private void FlushSummaryLocked()
    {
        _summary?.Dispose();
        _summary = null;
        var total = _suppressed.Sum();
        if (total == 0)
        {
            return;
        }

        Log.Http2AbuseSummary(
            logger,
            total,
            Interval,
            _suppressed[(int)Http2Abuse.RapidReset],
            _suppressed[(int)Http2Abuse.ContinuationFlood],
            _suppressed[(int)Http2Abuse.EmptyFrameFlood],
            _suppressed[(int)Http2Abuse.ControlFrameFlood]);
        Array.Clear(_suppressed);
    }

    internal static string Describe(Http2Abuse abuse) => abuse switch
    {
        Http2Abuse.RapidReset => "rapid reset (RST_STREAM flood, CVE-2023-44487)",
        Http2Abuse.ContinuationFlood => "CONTINUATION flood",
        Http2Abuse.EmptyFrameFlood => "empty frame flood",
        Http2Abuse.ControlFrameFlood => "SETTINGS/PING flood",
        _ => "none",
    };
}
