namespace Roost.Clustering.Internal.Supervision;

/// <summary>systemd notification.</summary>
internal abstract partial record SupervisorEvent
{
    /// <summary>Time to ping systemd's watchdog (timer, every quarter of <c>WATCHDOG_USEC</c>); the loop sends <c>WATCHDOG=1</c>.</summary>
    public sealed record WatchdogDue : SupervisorEvent;
}
