namespace Roost.Clustering.Internal.Ipc;

/// <summary>Primary → worker (<c>handoff</c> sharing): an accepted connection for the server on <paramref name="EndPoint"/>; its descriptor rides along (SCM_RIGHTS).</summary>
/// <param name="EndPoint">The listening end point as the worker asked for it (<c>address:port</c>).</param>
internal sealed record ConnectionMessage(string EndPoint) : IpcMessage;
