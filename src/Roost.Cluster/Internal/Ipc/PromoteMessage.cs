namespace Roost.Clustering.Internal.Ipc;

/// <summary>Primary → hot spare: take over <paramref name="Slot"/> and start listening (sockets are then asked for with <c>listen</c>).</summary>
/// <param name="Slot">The worker slot the spare fills.</param>
internal sealed record PromoteMessage(int Slot) : IpcMessage;
