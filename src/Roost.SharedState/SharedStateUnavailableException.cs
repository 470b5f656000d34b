namespace Roost.SharedState;

/// <summary>
/// The shared store (SQLite file or Redis) could not be reached, or stayed busy past its timeout. Requests that need
/// the session are answered <c>503 Service Unavailable</c> with this message; the server keeps running and the
/// store is tried again on the next request (Redis reconnects by itself).
/// </summary>
public sealed class SharedStateUnavailableException : ServiceUnavailableException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, which store, and what to do.</param>
    /// <param name="innerException">The store's own exception.</param>
    public SharedStateUnavailableException(string message, Exception? innerException)
        : base(message, TimeSpan.FromSeconds(1), innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SharedStateUnavailableException() : this("The shared state store is unavailable; try again shortly.", null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public SharedStateUnavailableException(string message) : this(message, null)
    {
    }
}
