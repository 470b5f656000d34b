namespace Roost.Internal;

/// <summary>Event ids of the cluster runtime (ranges in Roost.EventIds: 2000–2099 primary, 2100–2199 worker, 2200–2299 IPC).</summary>
internal static partial class ClusterEventIds
{
    public const int WorkerForked = 2000;
    public const int WorkerOnline = 2001;
    public const int WorkerReady = 2002;
    public const int WorkerExited = 2003;
    public const int WorkerExitedAsked = 2015;
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
    public const int HandoffAcceptFailed = 2016;
    public const int ReloadStarted = 2017;
    public const int ReloadReplaced = 2018;
    public const int ReloadCompleted = 2019;
    public const int ReloadAborted = 2020;
    public const int ReloadQueued = 2021;
    public const int RecycleStarted = 2040;
    public const int RecycleCompleted = 2041;
    public const int RecycleAborted = 2042;
    public const int SpareForked = 2050;
    public const int SpareWaiting = 2051;
    public const int SparePromoted = 2052;
    public const int SpareExited = 2053;
    public const int SpareBootFailed = 2054;
    public const int WorkerDraining = 2100;
    public const int PrimaryGone = 2101;
    public const int IpcMessageRejected = 2200;
    public const int IpcUnexpectedMessage = 2201;
    public const int IpcInvalidMessage = 2202;
    public const int BroadcastHandlerFailed = 2190;
    public const int WorkerMessageHandlerFailed = 2191;
    public const int MessageHandlerFailed = 2039;
    public const int PrimaryBroadcastHandlerFailed = 2022;
    public const int SupervisorEventFailed = 2023;
    public const int TicketKeysRotated = 2024;
    public const int TicketKeyFileReloaded = 2025;
    public const int TicketKeyFileRejected = 2026;
    public const int HandoffConnectionsRehanded = 2027;

    // Metrics and the admin listener (2090–2099 primary, 2102 worker).
    public const int AdminListening = 2090;
    public const int AdminRequestFailed = 2091;
    public const int MetricsBlockFailed = 2092;
    public const int MetricsUnavailable = 2102;
}
