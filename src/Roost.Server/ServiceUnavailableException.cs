namespace Roost;

/// <summary>
/// A handler could not do its work because a service it depends on (e.g. the shared session store) is unreachable
/// for now. When a Node-style handler throws it, the server answers <c>503 Service Unavailable</c> with the message
/// as a <c>text/plain</c> body and a <c>Retry-After</c> header instead of <c>500</c>, and does not log it as a
/// handler failure: the code that throws logs the reason.
/// </summary>
public class ServiceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is unavailable and what to do; sent to the client as the body.</param>
    /// <param name="retryAfter">The value of <c>Retry-After</c>; <see langword="null"/> for none.</param>
    /// <param name="innerException">The cause.</param>
    public ServiceUnavailableException(string message, TimeSpan? retryAfter, Exception? innerException)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception.</summary>
    public ServiceUnavailableException() : this("A service the request needs is unavailable; try again shortly.", null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ServiceUnavailableException(string message) : this(message, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ServiceUnavailableException(string message, Exception? innerException) : this(message, null, innerException)
    {
    }

    /// <summary>Gets how long the client should wait before trying again, or <see langword="null"/>.</summary>
    public TimeSpan? RetryAfter { get; }
}
