namespace Roost.Acme;

/// <summary>
/// Data of <see cref="HttpServer.AcmeAttemptFailed"/>: an attempt to obtain or renew the
/// <see cref="SecureServerOptions.Acme"/> certificate failed.
/// </summary>
public sealed class AcmeAttemptFailedEventArgs : EventArgs
{
    internal AcmeAttemptFailedEventArgs(IReadOnlyList<string> domains, string message, int attempt, DateTimeOffset? nextAttempt, bool isServing, bool isValidationFailure)
    {
        Domains = domains;
        Message = message;
        Attempt = attempt;
        NextAttempt = nextAttempt;
        IsServing = isServing;
        IsValidationFailure = isValidationFailure;
    }

    /// <summary>Gets the names of the certificate.</summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>Gets what failed: the CA's answer and what to check, in one sentence or a few (the same text the log has).</summary>
    public string Message { get; }

    /// <summary>Gets how many attempts in a row have failed for these names, this one included (kept across restarts in the state folder).</summary>
    public int Attempt { get; }

    /// <summary>
    /// Gets when the next attempt is due (exponential back-off, never sooner than the CA's Retry-After), or
    /// <see langword="null"/> when this failure ends <c>ListenAsync</c> (no certificate yet, and it gives up).
    /// </summary>
    public DateTimeOffset? NextAttempt { get; }

    /// <summary>Gets a value indicating whether a certificate is being served meanwhile (the previous one, or the development chain).</summary>
    public bool IsServing { get; }

    /// <summary>Gets a value indicating whether the CA refused to validate a name (DNS or port problem): retrying alone will not fix it.</summary>
    public bool IsValidationFailure { get; }
}
