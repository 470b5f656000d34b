namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary: the worker's runtime is up (Node's <c>online</c>).</summary>
/// <param name="Pid">The worker's process id.</param>
internal sealed record OnlineMessage(int Pid) : IpcMessage;
