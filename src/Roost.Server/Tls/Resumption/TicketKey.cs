using System.Security.Cryptography;

namespace Roost.Tls.Resumption;

/// <summary>
/// One session ticket key: a 16-byte name (sent in clear in each ticket, so a server finds the key that sealed it), a
/// 32-byte HMAC-SHA256 key and a 32-byte AES-256 key — the 80-byte layout of nginx's <c>ssl_session_ticket_key</c>.
/// </summary>
/// <remarks>Secret material: never logged, never in status or errors (<see cref="ToString"/> shows only a fingerprint).</remarks>
internal sealed class TicketKey
{
    public const int NameLength = 16;
    public const int HmacKeyLength = 32;
    public const int AesKeyLength = 32;
    public const int Length = NameLength + HmacKeyLength + AesKeyLength;

    private readonly byte[] _material;

    private TicketKey(byte[] material) => _material = material;

    public ReadOnlySpan<byte> Name => _material.AsSpan(0, NameLength);

    public ReadOnlySpan<byte> HmacKey => _material.AsSpan(NameLength, HmacKeyLength);

    public ReadOnlySpan<byte> AesKey => _material.AsSpan(NameLength + HmacKeyLength, AesKeyLength);

    /// <summary>A new random key.</summary>
    public static TicketKey Create() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>The key from its 80 bytes; <see langword="null"/> when the length is not 80.</summary>
    public static TicketKey? FromBytes(ReadOnlySpan<byte> material) => material.Length == Length ? new(material.ToArray()) : null;

    /// <summary>The key as base64 (the IPC and key-file form).</summary>
    public string ToBase64() => Convert.ToBase64String(_material);

    public bool HasName(ReadOnlySpan<byte> name) => name.SequenceEqual(Name);

    /// <summary>A short, non-secret fingerprint (first 4 bytes of SHA-256 of the name), for logs and tests.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Name)[..4]);

    public override string ToString() => $"ticket key {Fingerprint}";
}
