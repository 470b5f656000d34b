using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Roost.Server.Internal;

/// <summary>Turns Kestrel's bind failures into <see cref="ListenException"/> with a message that says what to do.</summary>
internal static class ListenErrors
{
    /// <param name="exception">What the bind threw.</param>
    /// <param name="requested">The end point asked for (its port and address find the process already listening).</param>
    /// <param name="endPoint">The end point as the message shows it.</param>
    /// <param name="portHint">Appended to "choose another port", e.g. " with --port".</param>
    public static ListenException Translate(Exception exception, IPEndPoint requested, string endPoint, string portHint)
    {
        var port = requested.Port;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case AddressInUseException:
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }:
                    return new ListenException(ErrorMessages.ListenAddressInUse(endPoint, portHint, PortOwners.Find(requested)), endPoint, exception);
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                    return new ListenException(ErrorMessages.ListenPermissionDenied(endPoint, port), endPoint, exception);
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable }:
                    return new ListenException(ErrorMessages.ListenAddressNotAvailable(endPoint), endPoint, exception);
            }
        }

        return new ListenException(ErrorMessages.ListenFailed(endPoint, exception.Message), endPoint, exception);
    }
}
