namespace Roost.Clustering.Internal.Ipc;

/// <summary>Worker → primary: a hot spare has built its app and waits for <see cref="PromoteMessage"/> before it starts listening.</summary>
internal sealed record SpareWaitingMessage : IpcMessage;
