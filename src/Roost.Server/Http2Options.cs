namespace Roost;

/// <summary>
/// How the server protects and closes its HTTP/2 connections (<see cref="ServerOptions.Http2"/>). Roost watches the
/// decrypted frame headers of each h2 connection (Kestrel still parses the frames): a client that floods the server
/// gets GOAWAY(ENHANCE_YOUR_CALM) and is closed, and a graceful close tells clients to stop opening streams a grace
/// period before Kestrel's own GOAWAY, so no stream in flight is refused. See docs/facade.md, "HTTP/2 protection".
/// </summary>
/// <remarks>No setting may be negative; <see cref="ServerOptions.Validate"/> (called by the <c>CreateServer</c> factories) reports each that is.</remarks>
public sealed class Http2Options
{
    /// <summary>
    /// Gets or sets how long a closing server (graceful close, worker drain on reload) keeps serving new streams after
    /// it sent GOAWAY with the last stream id 2^31−1 (RFC 9113 §6.8), before Kestrel's final GOAWAY. Streams a client
    /// sent before it read the first GOAWAY are then served, not refused. <see cref="TimeSpan.Zero"/> turns the first
    /// step off.
    /// </summary>
    /// <remarks>Defaults to 1 second (many round trips; a client needs one to read the GOAWAY).</remarks>
    public TimeSpan GoAwayGracePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how many RST_STREAM frames a client may send on one connection in a burst (a token bucket refilled
    /// at <see cref="StreamResetsPerSecond"/>); one more closes the connection with GOAWAY(ENHANCE_YOUR_CALM) — the
    /// HTTP/2 Rapid Reset attack (CVE-2023-44487). 0 turns the check off.
    /// </summary>
    /// <remarks>Defaults to 100 (below the 200 streams Kestrel tracks per connection, so Roost acts before Kestrel's
    /// own limits abort the connection without a GOAWAY).</remarks>
    public int StreamResetBurst { get; set; } = 100;

    /// <summary>Gets or sets how fast the budget of <see cref="StreamResetBurst"/> refills, in RST_STREAM frames per second.</summary>
    /// <remarks>Defaults to 33 per second (nghttp2's default rate).</remarks>
    public int StreamResetsPerSecond { get; set; } = 33;

    /// <summary>
    /// Gets or sets how many CONTINUATION frames one header block may have; one more closes the connection with
    /// GOAWAY(ENHANCE_YOUR_CALM). Kestrel's header size limits count bytes only, so a flood of empty CONTINUATION frames
    /// was never cut off. 0 turns the check off.
    /// </summary>
    /// <remarks>Defaults to 16 (a header block at Kestrel's 32 KB limit needs at most 2 with 16 KB frames; nghttp2 allows 8).</remarks>
    public int MaxContinuationFrames { get; set; } = 16;

    /// <summary>Adds a line per negative setting to <paramref name="problems"/> (<see cref="ServerOptions.Validate"/>).</summary>
    internal void AddProblems(List<string> problems)
    {
        if (GoAwayGracePeriod < TimeSpan.Zero)
        {
            problems.Add(ErrorMessages.Http2OptionNegative(nameof(GoAwayGracePeriod), GoAwayGracePeriod));
        }

        Negative(nameof(StreamResetBurst), StreamResetBurst);
        Negative(nameof(StreamResetsPerSecond), StreamResetsPerSecond);
        Negative(nameof(MaxContinuationFrames), MaxContinuationFrames);

        void Negative(string name, int value)
        {
            if (value < 0)
            {
                problems.Add(ErrorMessages.Http2OptionNegative(name, value));
            }
        }
    }
}
