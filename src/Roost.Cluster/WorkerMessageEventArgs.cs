using System.Text.Json;

namespace Roost;

/// <summary>A message from the other side of a worker's IPC channel.</summary>
/// <param name="worker">The worker (in a worker: itself).</param>
/// <param name="message">The JSON value sent.</param>
public sealed class WorkerMessageEventArgs(ClusterWorker worker, JsonElement message) : ClusterWorkerEventArgs(worker)
{
    /// <summary>Gets the message.</summary>
    public JsonElement Message { get; } = message;
}
