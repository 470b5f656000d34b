namespace Roost.Control;

/// <summary>The primary answered a control request with an error instead of serving it; the message says why.</summary>
public sealed class ControlRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The primary's error code (<see cref="ControlErrorCodes"/>).</param>
    /// <param name="message">The primary's message.</param>
    public ControlRefusedException(string code, string message)
        : base(message) => Code = code;

    /// <summary>Creates the exception.</summary>
    public ControlRefusedException() : this(string.Empty, "The primary refused the control request.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ControlRefusedException(string message) : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ControlRefusedException(string message, Exception innerException)
        : base(message, innerException) => Code = string.Empty;

    /// <summary>Gets the primary's error code (one of <see cref="ControlErrorCodes"/>, or a code of a newer release).</summary>
    public string Code { get; }
}
