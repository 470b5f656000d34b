using System.Net;

namespace Roost;

/// <summary>A worker accepts connections on an end point (Node's <c>listening</c>, with the address).</summary>
/// <param name="worker">The worker.</param>
/// <param name="endPoint">The end point.</param>
public sealed class WorkerListeningEventArgs(ClusterWorker worker, IPEndPoint endPoint) : ClusterWorkerEventArgs(worker)
{
    /// <summary>Gets the end point the worker accepts on.</summary>
    public IPEndPoint EndPoint { get; } = endPoint;
}
