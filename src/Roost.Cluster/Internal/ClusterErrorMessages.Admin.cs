using System.Globalization;
using System.Net;

namespace Roost.Internal;

/// <summary>Messages of the admin listener and metrics.</summary>
internal static partial class ClusterErrorMessages
{
    public static string AdminTokenRequired(IPEndPoint endPoint) =>
        $"The admin listener '{EndPointText.Describe(endPoint)}' is not a loopback address and has no token: anyone who can reach it could read the metrics and use the dashboard. " +
        $"Set a token of at least {ClusterAdminOptions.MinimumTokenLength} characters (roost: --admin-token or ROOST_ADMIN_TOKEN; library: ClusterAdminOptions.BearerToken), or listen on 127.0.0.1.";

    public static string AdminTokenTooShort(int length) =>
        $"The admin token has {length.ToString(CultureInfo.InvariantCulture)} characters or contains white space; it needs at least {ClusterAdminOptions.MinimumTokenLength} and none (for example: openssl rand -hex 16).";

    public static string AdminListenFailed(IPEndPoint endPoint, string reason) =>
        $"Cannot start the admin listener on '{EndPointText.Describe(endPoint)}': {reason} Choose another address or port with --admin, or stop the other process.";
}
