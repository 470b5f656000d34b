namespace Roost.Clustering.Internal.Admin;

/// <summary>A certificate in use, as the dashboard shows it.</summary>
/// <param name="Name">default, or the SNI host name it is served for.</param>
/// <param name="Subject">The leaf's subject; null when it could not be loaded.</param>
/// <param name="Issuer">The leaf's issuer.</param>
/// <param name="NotBefore">Valid from.</param>
/// <param name="NotAfter">Valid until.</param>
/// <param name="DaysLeft">Days until <paramref name="NotAfter"/> (negative once expired), to a tenth.</param>
/// <param name="SerialNumber">The leaf's serial number (hex), as <c>roost reload --certs-only</c> reports it.</param>
/// <param name="DnsNames">The subject alternative names (DNS).</param>
/// <param name="Source">Where it was loaded from (files as given).</param>
/// <param name="Error">Why it could not be loaded, or null.</param>
internal sealed record CertificateSummary(
    string Name,
    string? Subject,
    string? Issuer,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    double? DaysLeft,
    string? SerialNumber,
    IReadOnlyList<string> DnsNames,
    string Source,
    string? Error);
