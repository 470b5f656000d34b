namespace Roost.Internal;

/// <summary>Event ids of live scaling, the control socket and certificate reloads through it (2060–2079 primary, 2160–2169 worker).</summary>
internal static partial class ClusterEventIds
{
    public const int ScaleStarted = 2060;
    public const int ScaleCompleted = 2061;
    public const int ScaleFailed = 2062;
    public const int ScaleDraining = 2063;
    public const int ReloadDeferredByScale = 2064;
    public const int SteeringFailed = 2065;
    public const int ControlListening = 2066;
    public const int ControlPeerRefused = 2067;
    public const int ControlRequest = 2068;
    public const int ControlConnectionFailed = 2069;
    public const int ControlStaleSocket = 2070;
    public const int CertificatesReloadStarted = 2071;
    public const int CertificatesReloadCompleted = 2072;
    public const int CertificatesReloadFailed = 2160;
}
