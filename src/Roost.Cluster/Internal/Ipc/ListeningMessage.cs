namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary: a server in the worker accepts on this end point; the first one makes the worker ready.</summary>
/// <param name="Address">The IP address.</param>
/// <param name="Port">The port.</param>
internal sealed record ListeningMessage(string Address, int Port) : IpcMessage;
