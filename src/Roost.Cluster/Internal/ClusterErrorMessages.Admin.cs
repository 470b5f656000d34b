using System.Globalization;
using System.Net;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal;

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

    public static string AdminCertificateFailed(IPEndPoint endPoint, string reason) =>
        $"Cannot start the admin listener on '{EndPointText.Describe(endPoint)}' over TLS: {reason.TrimEnd('.')}. Fix the certificate files (--admin-cert and --admin-key; library: ClusterAdminOptions.Tls), or leave them out for plain HTTP on loopback.";

    public static string AdminHostRefused(string host) =>
        $"The admin listener has no token and answers only requests addressed to an IP address or localhost, not '{host}' (a DNS name pointed at this machine could let another site's page in). Open it as http://127.0.0.1:<port>/, or set --admin-token.";

    public static string AdminCrossOrigin(string origin) =>
        $"Refused: the request came from the page of another origin ('{origin}'); the dashboard's actions are taken from the dashboard itself.";

    public static string AdminNoSession() =>
        "Refused: no dashboard session. Load the dashboard page (it sets the session cookie), or log in with the admin token, and try again.";

    public static string AdminCsrfMissing(string header) =>
        $"Refused: the request has no valid anti-CSRF token in the {header} header. Reload the dashboard page and try again; scripts use the control socket (roost reload|scale) instead.";

    public static string AdminBadAction(string what) =>
        $"Bad request: {what}.";

    public static string AdminLoginFailed() =>
        "That is not the admin token (--admin-token or ROOST_ADMIN_TOKEN of this instance).";
}
