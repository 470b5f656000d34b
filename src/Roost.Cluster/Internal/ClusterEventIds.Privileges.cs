namespace Roost.Internal;

/// <summary>Event ids of workers started as another user, <c>--user</c> (2090–2094 primary, 2180–2184 worker).</summary>
internal static partial class ClusterEventIds
{
    public const int TlsFilesChanged = 2090;
    public const int TlsFilesUnreadable = 2091;
    public const int CertificatesReloadProblem = 2092;
    public const int MetricsNotHandedOver = 2093;
    public const int TlsFilesMissing = 2180;
}
