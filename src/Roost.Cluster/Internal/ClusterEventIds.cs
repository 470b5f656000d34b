namespace Roost.Clustering.Internal;

/// <summary>
/// Event ids of the cluster runtime, in id order: 2000–2099 primary, 2100–2199 worker runtime (2150–2159 reserved for the
/// <c>roost run</c> startup hook), 2200–2299 IPC (CONTRIBUTING.md §8.2). Never reused; ClusterEventIdsTests checks them.
/// </summary>
internal static class ClusterEventIds
{
    // 2000–2029 Primary: workers, stop, reload, handoff, broadcast handlers, ticket keys.
    public const int WorkerForked = 2000;
    public const int WorkerOnline = 2001;
    public const int WorkerReady = 2002;
    public const int WorkerExited = 2003;
    public const int WorkerRestarting = 2004;
    public const int WorkerBootFailed = 2005;
    public const int CrashLoop = 2006;
    public const int HeartbeatMissed = 2007;
    public const int Stopping = 2008;
    public const int Stopped = 2009;
    public const int StopForced = 2010;
    public const int DrainDeadline = 2011;
    public const int ListenBindFailed = 2012;
    public const int WorkerSpawnFailed = 2013;
    public const int EventHandlerFailed = 2014;
    public const int WorkerExitedAsked = 2015;
    public const int HandoffAcceptFailed = 2016;
    public const int ReloadStarted = 2017;
    public const int ReloadReplaced = 2018;
    public const int ReloadCompleted = 2019;
    public const int ReloadAborted = 2020;
    public const int ReloadQueued = 2021;
    public const int PrimaryBroadcastHandlerFailed = 2022;
    public const int SupervisorEventFailed = 2023;
    public const int TicketKeysRotated = 2024;
    public const int TicketKeyFileReloaded = 2025;
    public const int TicketKeyFileRejected = 2026;
    public const int HandoffConnectionsRehanded = 2027;
    public const int ForkAfterStop = 2029;

    // 2030–2039 Primary: workers started as another user (--user), message handlers.
    public const int TlsFilesChanged = 2030;
    public const int TlsFilesUnreadable = 2031;
    public const int CertificatesReloadProblem = 2032;
    public const int MetricsNotHandedOver = 2033;
    public const int MessageHandlerFailed = 2039;

    // 2040–2059 Primary: recycling and the hot spare.
    public const int RecycleStarted = 2040;
    public const int RecycleCompleted = 2041;
    public const int RecycleAborted = 2042;
    public const int SpareForked = 2050;
    public const int SpareWaiting = 2051;
    public const int SparePromoted = 2052;
    public const int SpareExited = 2053;
    public const int SpareBootFailed = 2054;

    // 2060–2079 Primary: live scaling, the control socket, certificate reloads, ACME challenges.
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
    public const int AcmeChallengeNotHeld = 2073;

    // 2080–2089 Primary: systemd notification and inherited signals.
    public const int NotifySocketUnsupported = 2080;
    public const int NotifyFailed = 2081;
    public const int SignalTakenFromIgnored = 2082;
    public const int SignalStillIgnored = 2083;

    // 2090–2099 Primary: metrics and the admin listener.
    public const int AdminListening = 2090;
    public const int AdminRequestFailed = 2091;
    public const int MetricsBlockFailed = 2092;
    public const int AdminPlainHttpOnNetwork = 2093;
    public const int AdminCertificateReloaded = 2094;
    public const int AdminCertificateReloadFailed = 2095;

    // 2100–2149 Worker runtime.
    public const int WorkerDraining = 2100;
    public const int PrimaryGone = 2101;
    public const int MetricsUnavailable = 2102;

    // 2160–2199 Worker runtime: certificate reloads, steering, --user TLS files, message handlers.
    public const int CertificatesReloadFailed = 2160;
    public const int SteeringChanged = 2170;
    public const int RemovedSlotQueued = 2171;
    public const int TlsFilesMissing = 2180;
    public const int BroadcastHandlerFailed = 2190;
    public const int WorkerMessageHandlerFailed = 2191;

    // 2200–2299 IPC.
    public const int IpcMessageRejected = 2200;
    public const int IpcUnexpectedMessage = 2201;
    public const int IpcInvalidMessage = 2202;
}
