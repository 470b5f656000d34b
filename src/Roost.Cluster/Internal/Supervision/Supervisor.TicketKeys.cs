using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.Ipc;
using Roost.Tls.Resumption;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// The instance's TLS session ticket keys (docs/tls.md, "Session resumption"): made by the primary in memory (or read
/// from the operator's key file), sent to each worker and spare as it starts and to all after each rotation, so that
/// any worker opens any ticket the instance issued. A rolling reload keeps them.
/// </summary>
internal sealed partial class Supervisor
{
    private readonly TicketKeyDistribution _ticketKeys;

    private void SendTicketKeys(IpcChannel channel)
    {
        var keys = _ticketKeys.Keys;
        channel.Send(new TicketKeysMessage(keys.ToBase64(), keys.Generation));
    }

    /// <summary>On the tick: a new encrypting key when the interval has passed (not with a key file: the operator rotates).</summary>
    private void CheckTicketKeys()
    {
        if (_ticketKeys.RotateIfDue() is not { } keys)
        {
            return;
        }

        BroadcastTicketKeys();
        Log.TicketKeysRotated(_logger, keys.Generation, keys.Keys.Count);
    }

    /// <summary>On a rolling reload: the key file is read again; a bad file is reported and the old keys stay.</summary>
    private void ReloadTicketKeyFile()
    {
        TicketKeyRing? keys;
        try
        {
            keys = _ticketKeys.ReloadFile();
        }
        catch (InvalidOperationException ex)
        {
            Log.TicketKeyFileRejected(_logger, ex.Message);
            return;
        }

        if (keys is null)
        {
            return;
        }

        BroadcastTicketKeys();
        Log.TicketKeyFileReloaded(_logger, _options.SessionTicketKeyFile!, keys.Generation, keys.Keys.Count);
    }

    private void BroadcastTicketKeys()
    {
        foreach (var worker in _workers.Values.Concat(_spares.Values))
        {
            SendTicketKeys(worker.Channel);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.TicketKeysRotated, LogLevel.Information, "TLS session ticket keys rotated (generation {Generation}, {Keys} keys kept) and sent to every worker", EventName = "TicketKeysRotated")]
        public static partial void TicketKeysRotated(ILogger logger, long generation, int keys);

        [LoggerMessage(ClusterEventIds.TicketKeyFileReloaded, LogLevel.Information, "TLS session ticket keys read again from '{Path}' (generation {Generation}, {Keys} keys) and sent to every worker", EventName = "TicketKeyFileReloaded")]
        public static partial void TicketKeyFileReloaded(ILogger logger, string path, long generation, int keys);

        [LoggerMessage(ClusterEventIds.TicketKeyFileRejected, LogLevel.Error, "{Message} The previous session ticket keys stay in use.", EventName = "TicketKeyFileRejected")]
        public static partial void TicketKeyFileRejected(ILogger logger, string message);
    }
}
