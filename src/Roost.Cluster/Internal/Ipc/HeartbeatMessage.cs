namespace Roost.Internal.Ipc;

/// <summary>Worker → primary, every heartbeat interval: the worker's thread pool still runs work.</summary>
/// <param name="Sequence">Counts up from 1.</param>
internal sealed record HeartbeatMessage(long Sequence) : IpcMessage;
