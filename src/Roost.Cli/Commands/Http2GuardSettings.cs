using Roost.Cli.Configuration;

namespace Roost.Cli.Commands;

/// <summary>
/// The HTTP/2 flood limits and close grace of <c>roost serve</c> and <c>roost run</c> (<c>--http2-stream-reset-burst</c>,
/// <c>--http2-stream-resets-per-second</c>, <c>--http2-max-continuation-frames</c>, <c>--http2-goaway-grace</c>):
/// <see cref="Http2Options"/> of every worker's server.
/// </summary>
internal sealed record Http2GuardSettings(int StreamResetBurst, int StreamResetsPerSecond, int MaxContinuationFrames, TimeSpan GoAwayGracePeriod)
{
    /// <summary>The settings from the effective settings (checked there: each is 0 or more).</summary>
    public static Http2GuardSettings From(EffectiveSettings settings) => new(
        settings.Get(RoostSettings.Http2StreamResetBurst),
        settings.Get(RoostSettings.Http2StreamResetsPerSecond),
        settings.Get(RoostSettings.Http2MaxContinuationFrames),
        TimeSpan.FromSeconds(settings.Get(RoostSettings.Http2GoAwayGrace)));

    /// <summary>Sets the limits and the grace period on a server's HTTP/2 options.</summary>
    public void ApplyTo(Http2Options options)
    {
        options.StreamResetBurst = StreamResetBurst;
        options.StreamResetsPerSecond = StreamResetsPerSecond;
        options.MaxContinuationFrames = MaxContinuationFrames;
        options.GoAwayGracePeriod = GoAwayGracePeriod;
    }
}
