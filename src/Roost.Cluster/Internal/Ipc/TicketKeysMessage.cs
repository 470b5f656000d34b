namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Primary → worker: the instance's TLS session ticket keys (base64 of 80 bytes each, the encrypting key first), sent
/// to every new worker and spare right after it starts and to all of them after each rotation. Secret: never logged.
/// </summary>
/// <param name="Keys">The keys, encrypting key first.</param>
/// <param name="Generation">How many rotations (or key file reads) made this set.</param>
internal sealed record TicketKeysMessage(IReadOnlyList<string> Keys, long Generation) : IpcMessage
{
    /// <summary>Only the generation and key count: the keys never reach a log line, even through a record's printer.</summary>
    public override string ToString() => $"TicketKeysMessage {{ Generation = {Generation}, Keys = {Keys.Count} }}";
}
