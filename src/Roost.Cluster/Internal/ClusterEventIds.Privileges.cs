namespace Roost.Internal;

/// <summary>Event ids of workers started as another user, <c>--user</c> (2030–2034 primary, 2180–2184 worker).</summary>
internal static partial class ClusterEventIds
{
    public const int TlsFilesChanged = 2030;
    public const int TlsFilesUnreadable = 2031;
    public const int CertificatesReloadProblem = 2032;
    public const int MetricsNotHandedOver = 2033;
    public const int TlsFilesMissing = 2180;
}
