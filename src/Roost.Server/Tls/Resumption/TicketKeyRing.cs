namespace Roost.Tls.Resumption;

/// <summary>
/// The session ticket keys of an instance: the first encrypts new tickets, the others only decrypt tickets issued
/// before the last rotations (Go's <c>crypto/tls</c> and Caddy keep keys the same way). Immutable; a rotation makes a new ring.
/// </summary>
internal sealed class TicketKeyRing
{
    /// <summary>
    /// Keys kept: the encrypting key and two previous ones. With the session lifetime set to two rotation intervals
    /// (<see cref="SessionLifetime"/>), a ticket never outlives the key that sealed it.
    /// </summary>
    public const int KeptKeys = 3;

    public TicketKeyRing(IReadOnlyList<TicketKey> keys, long generation)
    {
        ArgumentOutOfRangeException.ThrowIfZero(keys.Count);
        Keys = keys;
        Generation = generation;
    }

    public IReadOnlyList<TicketKey> Keys { get; }

    /// <summary>Gets how many rotations made this ring (0 for the first; a key file's rings count reloads).</summary>
    public long Generation { get; }

    public TicketKey Encryption => Keys[0];

    /// <summary>A ring with one new random key.</summary>
    public static TicketKeyRing Create() => new([TicketKey.Create()], 0);

    /// <summary>How long a session may be resumed for a rotation interval: two intervals (see <see cref="KeptKeys"/>).</summary>
    public static TimeSpan SessionLifetime(TimeSpan rotation) => rotation * (KeptKeys - 1);

    /// <summary>A new encrypting key in front; the oldest beyond <see cref="KeptKeys"/> is dropped.</summary>
    public TicketKeyRing Rotate() => new([TicketKey.Create(), .. Keys.Take(KeptKeys - 1)], Generation + 1);

    /// <summary>The key whose name is <paramref name="name"/>, or <see langword="null"/>.</summary>
    public TicketKey? Find(ReadOnlySpan<byte> name)
    {
        foreach (var key in Keys)
        {
            if (key.HasName(name))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>The keys as base64 strings, encrypting key first (the IPC form).</summary>
    public IReadOnlyList<string> ToBase64() => [.. Keys.Select(k => k.ToBase64())];

    /// <summary>The ring from its IPC form; <see langword="null"/> when a key is not 80 bytes of base64 or none is given.</summary>
    public static TicketKeyRing? FromBase64(IReadOnlyList<string> keys, long generation)
    {
        List<TicketKey> parsed = [];
        foreach (var text in keys)
        {
            var bytes = new byte[TicketKey.Length + 3];
            if (!Convert.TryFromBase64String(text, bytes, out var written) || TicketKey.FromBytes(bytes.AsSpan(0, written)) is not { } key)
            {
                return null;
            }

            parsed.Add(key);
        }

        return parsed.Count == 0 ? null : new TicketKeyRing(parsed, generation);
    }

    public override string ToString() => $"ticket key ring generation {Generation} ({string.Join(", ", Keys.Select(k => k.Fingerprint))})";
}
