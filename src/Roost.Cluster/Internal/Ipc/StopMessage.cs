namespace Roost.Clustering.Internal.Ipc;

/// <summary>Primary → worker: close every server gracefully (in-flight requests get up to the drain timeout), then exit.</summary>
/// <param name="DrainTimeoutMilliseconds">How long in-flight requests may take.</param>
/// <param name="SlotRemoved">
/// The worker's slot is removed (scale down): no other worker accepts from its reuseport sockets, so it empties their
/// accept queues before it stops accepting.
/// </param>
/// <param name="SuccessorReady">
/// A ready successor accepts from the same sockets (rolling reload, recycle): the worker stops accepting at once and
/// only finishes the connections it has.
/// </param>
internal sealed record StopMessage(long DrainTimeoutMilliseconds, bool SlotRemoved = false, bool SuccessorReady = false) : IpcMessage;
