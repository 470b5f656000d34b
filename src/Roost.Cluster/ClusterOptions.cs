using Microsoft.Extensions.Logging;

namespace Roost;

/// <summary>
/// Settings of the primary (Node's <c>cluster.setupPrimary</c>). The defaults keep Node's behaviour (no automatic
/// respawn); <see cref="RespawnWorkers"/> turns on managed mode: respawn with backoff, boot-failure stop, crash-loop
/// guard, heartbeats. Worker processes read what they need from the primary.
/// </summary>
public sealed partial class ClusterOptions
{
    private TimeSpan _initialBackoff = TimeSpan.FromMilliseconds(100);
    private double _backoffMultiplier = 2;
    private TimeSpan _maxBackoff = TimeSpan.FromSeconds(15);
    private double _backoffJitter = 0.2;
    private int _maxCrashes = 10;
    private TimeSpan _crashWindow = TimeSpan.FromSeconds(60);
    private TimeSpan _minUptime = TimeSpan.FromSeconds(1);
    private TimeSpan _heartbeatInterval = TimeSpan.FromSeconds(5);
    private int _missedHeartbeats = 3;
    private TimeSpan _bootTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _drainTimeout = TimeSpan.FromSeconds(30);
    private int _maxMessageBytes = 1024 * 1024;
    private TimeSpan _keepAliveDrainWindow = TimeSpan.FromSeconds(1);
    private int _hotSpares = 1;

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
    public TimeSpan InitialBackoff { get => _initialBackoff; set => _initialBackoff = NonNegative(value, nameof(InitialBackoff)); }

    /// <summary>Gets or sets the factor the backoff grows by with each crash in a row.</summary>
    /// <remarks>Defaults to 2.</remarks>
    public double BackoffMultiplier
    {
        get => _backoffMultiplier;
        set => _backoffMultiplier = value >= 1 ? value : throw OutOfRange(nameof(BackoffMultiplier), value, "at least 1");
    }

    /// <summary>Gets or sets the largest backoff.</summary>
    /// <remarks>Defaults to 15 seconds.</remarks>
    public TimeSpan MaxBackoff { get => _maxBackoff; set => _maxBackoff = NonNegative(value, nameof(MaxBackoff)); }

    /// <summary>Gets or sets the random spread applied to each backoff, as a fraction (0.2 = ±20%), so crashed workers do not restart in lockstep.</summary>
    /// <remarks>Defaults to 0.2.</remarks>
    public double BackoffJitter
    {
        get => _backoffJitter;
        set => _backoffJitter = value is >= 0 and <= 1 ? value : throw OutOfRange(nameof(BackoffJitter), value, "between 0 and 1");
    }

    /// <summary>Gets or sets how many crashes within <see cref="CrashWindow"/> make the primary give up (<see cref="ClusterExitCodes.WorkersCrashLooping"/>).</summary>
    /// <remarks>Defaults to 10. Only crashes of workers that lived less than <see cref="MinUptime"/> count.</remarks>
    public int MaxCrashes
    {
        get => _maxCrashes;
        set => _maxCrashes = value >= 1 ? value : throw OutOfRange(nameof(MaxCrashes), value, "at least 1");
    }

    /// <summary>Gets or sets the window in which <see cref="MaxCrashes"/> are counted.</summary>
    /// <remarks>Defaults to 60 seconds.</remarks>
    public TimeSpan CrashWindow { get => _crashWindow; set => _crashWindow = Positive(value, nameof(CrashWindow)); }

    /// <summary>
    /// Gets or sets how long a worker must have run (from process start) for its exit to count as an ordinary exit
    /// rather than a crash: it is restarted after <see cref="InitialBackoff"/> and resets the backoff (PM2's
    /// <c>min_uptime</c>). Shorter-lived workers grow the backoff and count towards <see cref="MaxCrashes"/>.
    /// </summary>
    /// <remarks>Defaults to 1 second.</remarks>
    public TimeSpan MinUptime { get => _minUptime; set => _minUptime = NonNegative(value, nameof(MinUptime)); }

    /// <summary>Gets or sets how often workers report that they are alive.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan HeartbeatInterval { get => _heartbeatInterval; set => _heartbeatInterval = Positive(value, nameof(HeartbeatInterval)); }

    /// <summary>Gets or sets how many heartbeats in a row a worker may miss before it is killed and replaced (managed mode).</summary>
    /// <remarks>Defaults to 3.</remarks>
    public int MissedHeartbeats
    {
        get => _missedHeartbeats;
        set => _missedHeartbeats = value >= 1 ? value : throw OutOfRange(nameof(MissedHeartbeats), value, "at least 1");
    }

    /// <summary>Gets or sets how long a worker may take to listen; a worker that takes longer is a boot failure (managed mode).</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan BootTimeout { get => _bootTimeout; set => _bootTimeout = Positive(value, nameof(BootTimeout)); }

    /// <summary>Gets or sets how long in-flight requests may take when the cluster stops; then workers are killed.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan DrainTimeout { get => _drainTimeout; set => _drainTimeout = NonNegative(value, nameof(DrainTimeout)); }

    /// <summary>
    /// Gets or sets how long a draining worker keeps serving, answering every HTTP/1.1 request with
    /// <c>Connection: close</c>, before it closes its servers. Kestrel's own shutdown closes idle keep-alive
    /// connections at once, which races with clients sending their next request on them (a reset under the client);
    /// with the window, each busy keep-alive connection is closed by the server right after an answer instead.
    /// </summary>
    /// <remarks>Defaults to 1 second; zero closes at once (Kestrel's behaviour). Measurements in docs/cluster.md.</remarks>
    public TimeSpan KeepAliveDrainWindow { get => _keepAliveDrainWindow; set => _keepAliveDrainWindow = NonNegative(value, nameof(KeepAliveDrainWindow)); }

    /// <summary>Gets or sets the largest IPC message in bytes; larger ones are logged with the worker id and dropped.</summary>
    /// <remarks>Defaults to 1 MiB.</remarks>
    public int MaxMessageBytes
    {
        get => _maxMessageBytes;
        set => _maxMessageBytes = value >= 1024 ? value : throw OutOfRange(nameof(MaxMessageBytes), value, "at least 1024");
    }

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
    public int HotSpares
    {
        get => _hotSpares;
        set => _hotSpares = value is >= 0 and <= 64 ? value : throw OutOfRange(nameof(HotSpares), value, "between 0 and 64");
    }

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

    private static TimeSpan NonNegative(TimeSpan value, string name) =>
        value >= TimeSpan.Zero ? value : throw OutOfRange(name, value, "zero or more");

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw OutOfRange(name, value, "more than zero");

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new("value", value, $"ClusterOptions.{name} must be {rule}; got {value}.");
}
