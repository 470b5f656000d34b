namespace Roost;

/// <summary>A lifecycle event of one worker.</summary>
/// <param name="worker">The worker.</param>
public class ClusterWorkerEventArgs(ClusterWorker worker) : EventArgs
{
    /// <summary>Gets the worker.</summary>
    public ClusterWorker Worker { get; } = worker;
}
