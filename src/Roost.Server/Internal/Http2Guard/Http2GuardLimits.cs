namespace Roost.Server.Internal.Http2Guard;

/// <summary>The thresholds one <see cref="Http2ConnectionGuard"/> applies to each connection (from <see cref="Http2Options"/>).</summary>
internal sealed record Http2GuardLimits(
    int StreamResetBurst,
    int StreamResetsPerSecond,
    int MaxContinuationFrames,
    int EmptyFrameBurst,
    int EmptyFramesPerSecond,
    int ControlFrameBurst,
    int ControlFramesPerSecond)
{
    // Zero-length DATA/HEADERS frames without END_STREAM carry nothing (CVE-2019-9518, "empty frames flood"); SETTINGS
    // and PING frames each cost the server an answer (CVE-2019-9512/9515). Well-behaved clients send a handful of each;
    // the budgets are nghttp2's order of magnitude (its stream-reset limit: burst 1000, 33 per second).
    private const int EmptyBurst = 100;
    private const int EmptyPerSecond = 10;
    private const int ControlBurst = 1000;
    private const int ControlPerSecond = 100;

    public static Http2GuardLimits From(Http2Options options) => new(
        options.StreamResetBurst,
        options.StreamResetsPerSecond,
        options.MaxContinuationFrames,
        EmptyBurst,
        EmptyPerSecond,
        ControlBurst,
        ControlPerSecond);
}
