namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Worker → primary (<c>handoff</c> sharing): the worker has taken the next connection handed to it for
/// <paramref name="EndPoint"/>, and sends this before anything reads from it. Until then the primary keeps its own copy
/// of the connection, so a worker that dies with connections still in its socket buffer loses none of them: when its
/// channel closes, the primary hands the ones it never confirmed to another worker.
/// </summary>
/// <param name="EndPoint">The end point's key, as in the <see cref="ConnectionMessage"/> it answers.</param>
internal sealed record ConnectionReceivedMessage(string EndPoint) : IpcMessage;
