namespace Roost.Control;

/// <summary>No primary could be reached on a control socket; the message says which socket, why, and what to do.</summary>
public sealed class ControlConnectException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why no primary was reached.</param>
    /// <param name="message">The message.</param>
    /// <param name="socketPath">The socket that was tried, if one was.</param>
    /// <param name="innerException">The low-level cause.</param>
    public ControlConnectException(ControlConnectFailure failure, string message, string? socketPath, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        SocketPath = socketPath;
    }

    /// <summary>Creates the exception.</summary>
    public ControlConnectException() : this(ControlConnectFailure.NotRunning, "No primary could be reached.", null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ControlConnectException(string message) : this(ControlConnectFailure.NotRunning, message, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ControlConnectException(string message, Exception innerException) : this(ControlConnectFailure.NotRunning, message, null, innerException)
    {
    }

    /// <summary>Gets why no primary was reached.</summary>
    public ControlConnectFailure Failure { get; }

    /// <summary>Gets the socket that was tried; <see langword="null"/> when no single socket was (no instance, or several).</summary>
    public string? SocketPath { get; }
}
