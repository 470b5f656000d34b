using System.Net;
using Roost.Server.Internal;

namespace Roost;

/// <summary>A server could not start listening: the port is busy or not allowed, or the address is not usable.</summary>
/// <remarks>The message names the end point, the cause and what to do.</remarks>
public sealed class ListenException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="endPoint">The end point that could not be bound, e.g. <c>0.0.0.0:8443</c>.</param>
    /// <param name="innerException">The low-level cause.</param>
    public ListenException(string message, string endPoint, Exception? innerException)
        : base(message, innerException)
    {
        EndPoint = endPoint;
    }

    /// <summary>Creates the exception.</summary>
    public ListenException() : this("The server could not listen.", string.Empty, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ListenException(string message) : this(message, string.Empty, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ListenException(string message, Exception innerException) : this(message, string.Empty, innerException)
    {
    }

    /// <summary>Gets the end point that could not be bound.</summary>
    public string EndPoint { get; }

    /// <summary>The exception for a failed bind of <paramref name="requested"/> (a primary binding before its workers start).</summary>
    /// <param name="exception">What the bind threw.</param>
    /// <param name="requested">The end point asked for.</param>
    /// <param name="portHint">Appended to "choose another port", e.g. " with --port".</param>
    internal static ListenException FromBindFailure(Exception exception, IPEndPoint requested, string portHint) =>
        ListenErrors.Translate(exception, requested, EndPointText.Describe(requested), portHint);
}
