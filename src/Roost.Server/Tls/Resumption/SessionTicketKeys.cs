using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Roost.Tls.Resumption;

/// <summary>
/// The session ticket keys of this process and OpenSSL's ticket key callback that uses them. Process-wide because
/// OpenSSL calls back a plain function pointer and every <c>SSL_CTX</c> of the process must use the instance's keys;
/// in a cluster worker the primary installs them over IPC (<see cref="InstallFromPrimary"/>), a lone process makes its
/// own (<see cref="LocalTicketKeys"/>).
/// </summary>
internal static unsafe class SessionTicketKeys
{
    private static volatile TicketKeyRing? _ring;
    private static volatile bool _fromPrimary;

    /// <summary>Gets the keys in use, or <see langword="null"/> before any was installed.</summary>
    public static TicketKeyRing? Current => _ring;

    /// <summary>Gets a value indicating whether the keys come from the cluster's primary (a local schedule then stands aside).</summary>
    public static bool FromPrimary => _fromPrimary;

    /// <summary>Installs the ring the primary sent: it replaces any local ring, now and later.</summary>
    public static void InstallFromPrimary(TicketKeyRing ring)
    {
        _fromPrimary = true;
        _ring = ring;
    }

    /// <summary>Installs a ring made in this process, unless the primary's keys are in use.</summary>
    public static void InstallLocal(TicketKeyRing ring)
    {
        if (!_fromPrimary)
        {
            _ring = ring;
        }
    }

    /// <summary>Gets OpenSSL's callback (<c>SSL_CTX_set_tlsext_ticket_key_evp_cb</c>).</summary>
    public static delegate* unmanaged<nint, byte*, byte*, nint, nint, int, int> Callback => &OnTicketKey;

    /// <summary>
    /// Seals (<paramref name="encrypt"/> = 1) or opens a ticket: picks the key, sets the AES-256-CBC key and IV and the
    /// HMAC-SHA256 key, as OpenSSL's own default ticket keys do (ssl/t1_lib.c). Returns, per SSL_CTX_set_tlsext_ticket_key_cb(3):
    /// sealing 1 = done, 0 = no ticket; opening 1 = key found, 2 = found and a fresh ticket is wanted (an old key, or
    /// TLS 1.3: OpenSSL issues the new ticket under the current key), 0 = unknown key (a full handshake), -1 = error.
    /// </summary>
    [UnmanagedCallersOnly]
    private static int OnTicketKey(nint ssl, byte* keyName, byte* iv, nint cipherContext, nint macContext, int encrypt)
    {
        try
        {
            if (_ring is not { } ring)
            {
                // No keys yet (a worker before the primary's message): no ticket, and no ticket can be opened.
                return 0;
            }

            if (encrypt == 1)
            {
                var key = ring.Encryption;
                key.Name.CopyTo(new Span<byte>(keyName, TicketKey.NameLength));
                RandomNumberGenerator.Fill(new Span<byte>(iv, 16));
                return SetMacKey(macContext, key) && Init(cipherContext, key, iv, encrypt: true) ? 1 : -1;
            }

            var found = ring.Find(new ReadOnlySpan<byte>(keyName, TicketKey.NameLength));
            if (found is null)
            {
                return 0;
            }

            if (!SetMacKey(macContext, found) || !Init(cipherContext, found, iv, encrypt: false))
            {
                return -1;
            }

            // 2 for every TLS 1.3 resumption, not only for an old key: OpenSSL then sends a new ticket at once (one, on
            // a resumed TLS 1.3 connection). Browsers use a TLS 1.3 ticket once (RFC 8446 §C.4), so without a fresh one
            // every other returning connection was a full handshake; and a client with Nagle on (no TCP_NODELAY) held its
            // request ~40 ms for the ACK of its Finished that a server with nothing to send delays (nginx sends the
            // ticket). TLS 1.2 tickets are reused by clients and are renewed only when sealed with an older key.
            return ReferenceEquals(found, ring.Encryption) && LibSsl.SslVersion(ssl) != LibSsl.Tls13Version ? 1 : 2;
        }
        catch (Exception)
        {
            // Nothing may unwind into OpenSSL: -1 fails this handshake's ticket step (OpenSSL then goes on without one).
            return -1;
        }
    }

    private static bool Init(nint cipherContext, TicketKey key, byte* iv, bool encrypt)
    {
        fixed (byte* aes = key.AesKey)
        {
            var cipher = LibSsl.EvpAes256Cbc();
            return (encrypt
                ? LibSsl.EvpEncryptInit(cipherContext, cipher, 0, aes, iv)
                : LibSsl.EvpDecryptInit(cipherContext, cipher, 0, aes, iv)) == 1;
        }
    }

    private static bool SetMacKey(nint macContext, TicketKey key)
    {
        // OSSL_MAC_PARAM_KEY and OSSL_MAC_PARAM_DIGEST ("key", "digest"), NUL-terminated; the list ends with a NULL key.
        ReadOnlySpan<byte> keyParam = "key\0"u8;
        ReadOnlySpan<byte> digestParam = "digest\0"u8;
        ReadOnlySpan<byte> sha256 = "SHA256\0"u8;
        fixed (byte* hmac = key.HmacKey)
        fixed (byte* keyName = keyParam)
        fixed (byte* digestName = digestParam)
        fixed (byte* digest = sha256)
        {
            var parameters = stackalloc LibSsl.OsslParam[3];
            parameters[0] = new LibSsl.OsslParam { Key = keyName, DataType = LibSsl.ParamOctetString, Data = hmac, DataSize = TicketKey.HmacKeyLength, ReturnSize = nuint.MaxValue };
            parameters[1] = new LibSsl.OsslParam { Key = digestName, DataType = LibSsl.ParamUtf8String, Data = digest, DataSize = 6, ReturnSize = nuint.MaxValue };
            parameters[2] = default;
            return LibSsl.EvpMacCtxSetParams(macContext, parameters) == 1;
        }
    }
}
