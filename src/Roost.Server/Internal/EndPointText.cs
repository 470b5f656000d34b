using System.Globalization;
using System.Net;

namespace Roost.Server.Internal;

/// <summary>
/// How end points are written in messages and keys (<c>127.0.0.1:8081</c>, <c>[::1]:8081</c>). Its own small class:
/// a cluster primary uses it without loading <see cref="HttpServer"/>, whose fields pull Kestrel into the process.
/// </summary>
internal static class EndPointText
{
    public static string Describe(IPEndPoint endPoint) =>
        endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
}
