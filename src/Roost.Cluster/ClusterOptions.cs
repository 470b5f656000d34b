using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal;

namespace Roost;

/// <summary>
/// Settings of the primary (Node's <c>cluster.setupPrimary</c>). The defaults keep Node's behaviour (no automatic
/// respawn); <see cref="RespawnWorkers"/> turns on managed mode: respawn with backoff, boot-failure stop, crash-loop
/// guard, heartbeats. Worker processes read what they need from the primary.
/// </summary>
/// <remarks>
/// Setters accept any value; <see cref="Validate"/>, which <see cref="Cluster.SetupPrimary"/> calls, reports every
/// out-of-range setting at once (docs/cluster.md, "Managed mode and its defaults").
/// </remarks>
public sealed partial class ClusterOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether crashed workers are started again (managed mode): after an
    /// exponential backoff with jitter; a worker that exits before it listened stops the cluster
    /// (<see cref="ClusterExitCodes.WorkerBootFailed"/>); too many crashes in a window stop it too.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/>, Node's behaviour: a worker that exits is gone.</remarks>
    public bool RespawnWorkers { get; set; }

    /// <summary>Gets or sets how workers share listening end points (measurements in docs/cluster.md).</summary>
    /// <remarks>Defaults to <see cref="ListenerSharingMode.Auto"/>: reuseport in managed mode, hand-off otherwise.</remarks>
    public ListenerSharingMode ListenerSharing { get; set; } = ListenerSharingMode.Auto;

    /// <summary>Gets or sets the delay before the first restart after a crash.</summary>
    /// <remarks>Defaults to 100 milliseconds.</remarks>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the factor the backoff grows by with each crash in a row.</summary>
    /// <remarks>Defaults to 2.</remarks>
    public double BackoffMultiplier { get; set; } = 2;

    /// <summary>Gets or sets the largest backoff.</summary>
    /// <remarks>Defaults to 15 seconds.</remarks>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the random spread applied to each backoff, as a fraction (0.2 = ±20%), so crashed workers do not restart in lockstep.</summary>
    /// <remarks>Defaults to 0.2.</remarks>
    public double BackoffJitter { get; set; } = 0.2;

    /// <summary>Gets or sets how many crashes within <see cref="CrashWindow"/> make the primary give up (<see cref="ClusterExitCodes.WorkersCrashLooping"/>).</summary>
    /// <remarks>Defaults to 10. Only crashes of workers that lived less than <see cref="MinUptime"/> count.</remarks>
    public int MaxCrashes { get; set; } = 10;

    /// <summary>Gets or sets the window in which <see cref="MaxCrashes"/> are counted.</summary>
    /// <remarks>Defaults to 60 seconds.</remarks>
    public TimeSpan CrashWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how long a worker must have run (from process start) for its exit to count as an ordinary exit
    /// rather than a crash: it is restarted after <see cref="InitialBackoff"/> and resets the backoff (PM2's
    /// <c>min_uptime</c>). Shorter-lived workers grow the backoff and count towards <see cref="MaxCrashes"/>.
    /// </summary>
    /// <remarks>Defaults to 1 second.</remarks>
    public TimeSpan MinUptime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how often workers report that they are alive.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many heartbeats in a row a worker may miss before it is killed and replaced (managed mode).</summary>
    /// <remarks>Defaults to 3.</remarks>
    public int MissedHeartbeats { get; set; } = 3;

    /// <summary>Gets or sets how long a worker may take to listen; a worker that takes longer is a boot failure (managed mode).</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan BootTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long in-flight requests may take when the cluster stops; then workers are killed.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a draining worker keeps serving, answering every HTTP/1.1 request with
    /// <c>Connection: close</c>, before it closes its servers. Kestrel's own shutdown closes idle keep-alive
    /// connections at once, which races with clients sending their next request on them (a reset under the client);
    /// with the window, each busy keep-alive connection is closed by the server right after an answer instead.
    /// </summary>
    /// <remarks>Defaults to 1 second; zero closes at once (Kestrel's behaviour). Measurements in docs/cluster.md.</remarks>
    public TimeSpan KeepAliveDrainWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the largest IPC message in bytes; larger ones are logged with the worker id and dropped.</summary>
    /// <remarks>Defaults to 1 MiB.</remarks>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets how many hot spares managed mode keeps: worker processes that run the program up to their first
    /// <c>Listen</c> (the server's app is built) and wait there. When a worker crashes, a spare is promoted into its
    /// slot at once instead of a cold start after the backoff (measurements in docs/cluster.md); the next spare starts
    /// after the backoff. Spares are not in <see cref="Cluster.Workers"/>.
    /// </summary>
    /// <remarks>
    /// Defaults to 1; 0 turns them off (memory-tight hosts: each spare costs about one idle worker's memory). Applies
    /// only with <see cref="RespawnWorkers"/> (Node's mode has none). A spare runs whatever the program does before
    /// <c>Listen</c>, so a worker that starts background work before listening does it in the spare too.
    /// </remarks>
    public int HotSpares { get; set; } = 1;

    /// <summary>Gets or sets the logger factory for the primary's own logs.</summary>
    /// <remarks>Defaults to <see langword="null"/>: warnings and errors go to stderr, as plain lines.</remarks>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets what a worker runs, built anew for every start (so a restart re-reads the program from disk);
    /// <see langword="null"/> runs this program again. <c>roost run</c> starts <c>dotnet app.dll</c> in the app's folder.
    /// The supervisor adds its own environment variables to the returned start info.
    /// </summary>
    internal Func<System.Diagnostics.ProcessStartInfo>? WorkerStartInfo { get; set; }

    internal ClusterOptions Clone()
    {
        var copy = (ClusterOptions)MemberwiseClone();
        copy.Admin = Admin.Clone();
        return copy;
    }

    /// <summary>
    /// Checks every setting (with <see cref="Admin"/>) and reports every problem at once; <see cref="Cluster.SetupPrimary"/>
    /// calls it. Call it yourself to check settings read from configuration before anything starts.
    /// </summary>
    /// <remarks>
    /// Setters store any value of the right type; out-of-range values are reported here, one line each, naming the
    /// option, the value seen and what is allowed.
    /// </remarks>
    /// <exception cref="InvalidOptionsException">At least one setting is out of range; <see cref="InvalidOptionsException.Problems"/> lists each.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        AddProblems(problems);
        AddRecyclingProblems(problems);
        AddTlsProblems(problems);
        problems.AddRange(Admin.Validate());
        if (problems.Count > 0)
        {
            throw new InvalidOptionsException(problems);
        }
    }

    private static void Require(List<string> problems, bool valid, string name, object? value, string rule)
    {
        if (!valid)
        {
            problems.Add(ClusterErrorMessages.OptionOutOfRange(name, value, rule));
        }
    }

    private static void NonNegative(List<string> problems, TimeSpan value, string name) =>
        Require(problems, value >= TimeSpan.Zero, name, value, "zero or more");

    private static void Positive(List<string> problems, TimeSpan value, string name) =>
        Require(problems, value > TimeSpan.Zero, name, value, "more than zero");

    private void AddProblems(List<string> problems)
    {
        NonNegative(problems, InitialBackoff, nameof(InitialBackoff));
        Require(problems, BackoffMultiplier >= 1, nameof(BackoffMultiplier), BackoffMultiplier, "at least 1");
        NonNegative(problems, MaxBackoff, nameof(MaxBackoff));
        Require(problems, BackoffJitter is >= 0 and <= 1, nameof(BackoffJitter), BackoffJitter, "between 0 and 1");
        Require(problems, MaxCrashes >= 1, nameof(MaxCrashes), MaxCrashes, "at least 1");
        Positive(problems, CrashWindow, nameof(CrashWindow));
        NonNegative(problems, MinUptime, nameof(MinUptime));
        Positive(problems, HeartbeatInterval, nameof(HeartbeatInterval));
        Require(problems, MissedHeartbeats >= 1, nameof(MissedHeartbeats), MissedHeartbeats, "at least 1");
        Positive(problems, BootTimeout, nameof(BootTimeout));
        NonNegative(problems, DrainTimeout, nameof(DrainTimeout));
        NonNegative(problems, KeepAliveDrainWindow, nameof(KeepAliveDrainWindow));
        Require(problems, MaxMessageBytes >= 1024, nameof(MaxMessageBytes), MaxMessageBytes, "at least 1024");
        Require(problems, HotSpares is >= 0 and <= 64, nameof(HotSpares), HotSpares, "between 0 and 64");
    }
}
