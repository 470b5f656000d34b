namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary, every heartbeat interval: the worker's thread pool still runs work.</summary>
/// <param name="Sequence">Counts up from 1.</param>
/// <param name="Requests">HTTP requests the worker has finished since it started.</param>
internal sealed record HeartbeatMessage(long Sequence, long Requests = 0) : IpcMessage;
