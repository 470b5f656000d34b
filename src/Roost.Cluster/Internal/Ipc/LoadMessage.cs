namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary (<c>handoff</c> sharing): how many handed-over connections the worker has closed so far (cumulative).</summary>
/// <param name="ClosedConnections">The count since the worker started.</param>
internal sealed record LoadMessage(long ClosedConnections) : IpcMessage;
