namespace Roost;

/// <summary>TLS session ticket keys the primary makes and hands to every worker.</summary>
public sealed partial class ClusterOptions
{
    /// <summary>
    /// Gets or sets how often the primary makes a new TLS session ticket encryption key and sends it to every worker;
    /// the two previous keys still open tickets. Every worker (respawned, spare, reloaded, added by scaling) gets the
    /// same keys, so a returning client resumes its TLS session on whichever worker it reaches.
    /// </summary>
    /// <remarks>Defaults to 12 hours. Ignored when <see cref="SessionTicketKeyFile"/> is set.</remarks>
    public TimeSpan SessionTicketKeyRotation { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Gets or sets an operator-managed file of session ticket keys, shared by several machines behind one load
    /// balancer (format in docs/tls.md; it must be readable by its owner only). The primary reads it at start and on
    /// each rolling reload, and makes no keys itself.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: keys made in memory by the primary and rotated.</remarks>
    public string? SessionTicketKeyFile { get; set; }

    private void AddTlsProblems(List<string> problems) => Positive(problems, SessionTicketKeyRotation, nameof(SessionTicketKeyRotation));
}
