namespace Roost.Internal;

/// <summary>Event ids of systemd notification and inherited signals (2080–2089 primary).</summary>
internal static partial class ClusterEventIds
{
    public const int NotifySocketUnsupported = 2080;
    public const int NotifyFailed = 2081;
    public const int SignalTakenFromIgnored = 2082;
    public const int SignalStillIgnored = 2083;
}
