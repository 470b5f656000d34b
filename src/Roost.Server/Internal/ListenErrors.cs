using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Roost.Internal;

/// <summary>Turns Kestrel's bind failures into <see cref="ListenException"/> with a message that says what to do.</summary>
internal static class ListenErrors
{
    public static ListenException Translate(Exception exception, string endPoint, int port, string portHint)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case AddressInUseException:
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }:
                    return new ListenException(ErrorMessages.ListenAddressInUse(endPoint, portHint), endPoint, exception);
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                    return new ListenException(ErrorMessages.ListenPermissionDenied(endPoint, port), endPoint, exception);
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable }:
                    return new ListenException(ErrorMessages.ListenAddressNotAvailable(endPoint), endPoint, exception);
            }
        }

        return new ListenException(ErrorMessages.ListenFailed(endPoint, exception.Message), endPoint, exception);
    }
}
