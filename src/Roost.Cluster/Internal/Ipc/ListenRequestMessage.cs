namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary: "give me a listening socket for this end point" (Node's <c>queryServer</c>).</summary>
/// <param name="RequestId">Matches the response to the request.</param>
/// <param name="Address">The IP address, e.g. <c>0.0.0.0</c>.</param>
/// <param name="Port">The port; 0 means one free port shared by all workers.</param>
internal sealed record ListenRequestMessage(int RequestId, string Address, int Port) : IpcMessage;
