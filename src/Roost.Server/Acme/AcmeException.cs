namespace Roost.Acme;

/// <summary>
/// An ACME request failed: the CA answered with a problem document (<see cref="Problem"/>), or it could not be reached
/// (<see cref="Exception.InnerException"/> says why). The message is one line naming the request and the CA's words.
/// </summary>
internal sealed class AcmeException : Exception
{
    public AcmeException(string message, AcmeProblem? problem = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>The CA's problem document, or <see langword="null"/> when the CA did not answer with one.</summary>
    public AcmeProblem? Problem { get; }

    /// <summary>How long the CA asked us to wait (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether a challenge was refused by the CA (the name did not validate): retried slowly, it will not pass by itself.</summary>
    public bool IsValidationFailure { get; init; }

    /// <summary>The challenge type that failed (or had no usable challenge), or <see langword="null"/>.</summary>
    public string? ChallengeType { get; init; }
}
