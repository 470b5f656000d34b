using System.Globalization;

namespace Roost.Clustering.Internal.Systemd;

/// <summary>
/// The datagrams the primary sends systemd (sd_notify(3)), and the one-line <c>STATUS=</c> texts that
/// <c>systemctl status</c> shows. Pure formatting, so tests can check every line.
/// </summary>
internal static class NotifyState
{
    public const string Watchdog = "WATCHDOG=1";

    /// <summary>Startup or a reload finished: the service is ready.</summary>
    public static string Ready(string status) => $"READY=1\nSTATUS={status}";

    /// <summary>
    /// A reload started; <paramref name="monotonicMicroseconds"/> is CLOCK_MONOTONIC now (systemd's <c>Type=notify-reload</c>
    /// needs it to tell this reload from an earlier one).
    /// </summary>
    public static string Reloading(long monotonicMicroseconds, string status) =>
        string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={monotonicMicroseconds}\nSTATUS={status}");

    /// <summary>A graceful stop began.</summary>
    public static string Stopping(string status) => $"STOPPING=1\nSTATUS={status}";

    /// <summary>Only the status line changed.</summary>
    public static string Status(string status) => $"STATUS={status}";

    /// <summary>While workers start: "starting: 1 of 2 workers ready".</summary>
    public static string StartingStatus(int ready, int workers) =>
        workers == 0 ? "starting" : string.Create(CultureInfo.InvariantCulture, $"starting: {ready} of {Workers(workers)} ready");

    /// <summary>Serving: "2 workers ready, generation 3", with restarts pending or a scale in progress when there are.</summary>
    public static string ServingStatus(int ready, int generation, int restarting, int? scalingTo)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Workers(ready)} ready, generation {generation}");
        if (restarting > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {restarting} restarting");
        }

        if (scalingTo is { } target)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", scaling to {target}");
        }

        return text;
    }

    /// <summary>During a rolling reload: "reloading to generation 4: 1 of 2 workers replaced".</summary>
    public static string ReloadingStatus(int generation, int replaced, int workers) =>
        string.Create(CultureInfo.InvariantCulture, $"reloading to generation {generation}: {replaced} of {Workers(workers)} replaced");

    /// <summary>During a graceful stop: "stopping: 2 workers draining".</summary>
    public static string StoppingStatus(int draining) =>
        string.Create(CultureInfo.InvariantCulture, $"stopping: {Workers(draining)} draining");

    private static string Workers(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "worker" : "workers")}");
}
