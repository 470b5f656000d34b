namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Primary → worker: the answer to <see cref="ListenRequestMessage"/>. When <paramref name="HasHandle"/> is set, the
/// listening socket's descriptor rides along as SCM_RIGHTS ancillary data on the same <c>sendmsg</c>.
/// </summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="HasHandle">Whether a descriptor was attached.</param>
/// <param name="Error">Why the primary could not bind, or <see langword="null"/>.</param>
/// <param name="Handoff">Connections will arrive as <see cref="ConnectionMessage"/>s (no listening descriptor).</param>
internal sealed record ListenResponseMessage(int RequestId, bool HasHandle, string? Error = null, bool Handoff = false) : IpcMessage;
