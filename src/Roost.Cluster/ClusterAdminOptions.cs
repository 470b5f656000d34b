using System.Net;
using Microsoft.AspNetCore.Routing;
using Roost.Clustering.Internal;
using Roost.Tls;

namespace Roost;

/// <summary>
/// The admin listener: a small HTTP server in the primary (never in a worker, never on the serving port) with the
/// instance's metrics (<c>/metrics</c> in the Prometheus text format, <c>/api/metrics</c> as JSON), the web dashboard
/// at <c>/</c> (live charts, workers, events, certificates; reload, scale and recycle buttons) and whatever
/// <see cref="Endpoints"/> add. Off unless <see cref="EndPoint"/> is set.
/// </summary>
/// <remarks>
/// A loopback end point may go without a token (anyone who can reach it can already signal the processes on this
/// machine; requests must then name an IP address or <c>localhost</c> as their host); any other address requires
/// <see cref="BearerToken"/>, which every request must then send as <c>Authorization: Bearer &lt;token&gt;</c>, or
/// browsers through the dashboard's login form (a session cookie), 401 otherwise. The dashboard's actions also need
/// its session's anti-CSRF token. Plain HTTP unless <see cref="Tls"/> is set.
/// </remarks>
public sealed class ClusterAdminOptions
{
    /// <summary>The shortest accepted token: 128 bits of hex or base64 are 22–32 characters; 16 keeps guessing out of reach.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>Gets or sets the end point the admin listener binds; <see langword="null"/> turns it off.</summary>
    /// <remarks>Defaults to <see langword="null"/> (off). Port 0 picks a free port.</remarks>
    public IPEndPoint? EndPoint { get; set; }

    /// <summary>Gets or sets the token every request must bring; required when <see cref="EndPoint"/> is not a loopback address.</summary>
    /// <remarks>Defaults to <see langword="null"/>. At least <see cref="MinimumTokenLength"/> characters.</remarks>
    public string? BearerToken { get; set; }

    /// <summary>
    /// Gets or sets the certificate the admin listener serves HTTPS with (HTTP/1.1 and HTTP/2 over TLS);
    /// <see langword="null"/> serves plain HTTP. Its files are read again when they change (checked at most once a
    /// second), so a renewed certificate needs no restart.
    /// </summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>. Over plain HTTP the token and the dashboard's session cookie cross the network
    /// in clear: on any address other than loopback give a certificate, or put a proxy that terminates TLS in front
    /// (the primary logs a warning otherwise). With TLS the session cookie is marked <c>Secure</c>.
    /// </remarks>
    public CertificateSource? Tls { get; set; }

    /// <summary>
    /// Gets the certificates the dashboard shows as in use, by name (<c>default</c>, or the SNI host name): subject,
    /// issuer, expiry and days left. The primary loads them with <see cref="CertificateLoader"/> and again whenever
    /// one of their files changes, so a renewed certificate shows once it is on disk.
    /// </summary>
    /// <remarks>Empty by default (the dashboard then shows no certificate panel); <c>roost serve</c> fills it with the certificates it serves.</remarks>
    public IDictionary<string, CertificateSource> Certificates { get; } = new Dictionary<string, CertificateSource>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the callbacks that add routes to the admin listener (after the token check, beside <c>/metrics</c>).</summary>
    public IList<Action<IEndpointRouteBuilder>> Endpoints { get; } = [];

    /// <summary>Returns every problem with these settings (empty when they are usable).</summary>
    internal IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (EndPoint is null)
        {
            return problems;
        }

        if (BearerToken is { } token && (token.Length < MinimumTokenLength || token.Any(char.IsWhiteSpace)))
        {
            problems.Add(ClusterErrorMessages.AdminTokenTooShort(token.Length));
        }
        else if (BearerToken is null && !IPAddress.IsLoopback(EndPoint.Address))
        {
            problems.Add(ClusterErrorMessages.AdminTokenRequired(EndPoint));
        }

        return problems;
    }

    internal ClusterAdminOptions Clone()
    {
        var copy = new ClusterAdminOptions { EndPoint = EndPoint, BearerToken = BearerToken, Tls = Tls };
        foreach (var endpoints in Endpoints)
        {
            copy.Endpoints.Add(endpoints);
        }

        foreach (var (name, source) in Certificates)
        {
            copy.Certificates[name] = source;
        }

        return copy;
    }
}
