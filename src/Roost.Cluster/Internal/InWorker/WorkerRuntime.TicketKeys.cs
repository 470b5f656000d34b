using Roost.Clustering.Internal.Ipc;
using Roost.Tls.Resumption;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>The instance's TLS session ticket keys, from the primary (docs/tls.md, "Session resumption").</summary>
internal sealed partial class WorkerRuntime
{
    private void OnTicketKeys(TicketKeysMessage message)
    {
        // A malformed set is ignored (the previous keys stay): the primary only ever sends what TicketKeyRing made.
        if (TicketKeyRing.FromBase64(message.Keys, message.Generation) is { } ring)
        {
            SessionTicketKeys.InstallFromPrimary(ring);
        }
    }
}
