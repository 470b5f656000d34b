namespace Roost;

/// <summary>What a live scale (<see cref="Cluster.ScaleAsync"/>, <c>roost scale</c>) did.</summary>
public enum ScaleOutcome
{
    /// <summary>The cluster now runs the asked number of workers: new ones are ready, removed ones drained and exited.</summary>
    Scaled,

    /// <summary>The cluster already ran the asked number of workers; nothing changed.</summary>
    Unchanged,

    /// <summary>The asked number is not valid (zero, negative, above the limit); nothing changed. See <see cref="ScaleResult.Message"/>.</summary>
    Rejected,

    /// <summary>Another operation (a rolling reload or a scale) is running; nothing changed. Ask again when it is done.</summary>
    Busy,

    /// <summary>A new worker failed before it was ready, or the cluster began to stop; see <see cref="ScaleResult.Message"/>.</summary>
    Failed,
}

/// <summary>The outcome of a live scale (<see cref="Cluster.ScaleAsync"/>).</summary>
public sealed class ScaleResult
{
    private ScaleResult(ScaleOutcome outcome, int previous, int workers, int started, int drained, string? message)
    {
        Outcome = outcome;
        Previous = previous;
        Workers = workers;
        Started = started;
        Drained = drained;
        Message = message;
    }

    /// <summary>Gets what happened.</summary>
    public ScaleOutcome Outcome { get; }

    /// <summary>Gets a value indicating whether the cluster runs the asked number of workers (<see cref="ScaleOutcome.Scaled"/> or <see cref="ScaleOutcome.Unchanged"/>).</summary>
    public bool Succeeded => Outcome is ScaleOutcome.Scaled or ScaleOutcome.Unchanged;

    /// <summary>Gets the worker count (the target respawns keep) before the operation.</summary>
    public int Previous { get; }

    /// <summary>Gets the worker count (the target respawns keep) after the operation.</summary>
    public int Workers { get; }

    /// <summary>Gets how many workers were started and became ready.</summary>
    public int Started { get; }

    /// <summary>Gets how many workers were drained and exited.</summary>
    public int Drained { get; }

    /// <summary>Gets why the scale did not happen or failed (what, which worker, what to do); <see langword="null"/> when it succeeded.</summary>
    public string? Message { get; }

    internal static ScaleResult Done(ScaleOutcome outcome, int previous, int workers, int started, int drained) =>
        new(outcome, previous, workers, started, drained, null);

    internal static ScaleResult NotDone(ScaleOutcome outcome, int previous, int workers, string message, int started = 0, int drained = 0) =>
        new(outcome, previous, workers, started, drained, message);
}
