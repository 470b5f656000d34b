using System.Globalization;
using System.Net;

namespace Roost.Cli.Commands;

/// <summary>Parses <c>--admin</c>: <c>PORT</c> (loopback), <c>HOST:PORT</c> or <c>[IPv6]:PORT</c>; HOST is an IP address or <c>localhost</c>.</summary>
internal static class AdminEndPoint
{
    public static bool TryParse(string text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            if (port > 65535)
            {
                return false;
            }

            endPoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            return TryParse(text["localhost:".Length..], out endPoint);
        }

        // IPEndPoint.TryParse takes "1.2.3.4:80" and "[::1]:80"; a bare IP (no port) is not an end point here.
        if (!IPEndPoint.TryParse(text, out var parsed) || !text.Contains(':', StringComparison.Ordinal) || text.EndsWith(']'))
        {
            return false;
        }

        if (parsed.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !text.StartsWith('['))
        {
            // "::1" parses as an address with port 0; require the bracketed form so the port is never ambiguous.
            return false;
        }

        endPoint = parsed;
        return true;
    }
}
