using System.Runtime.InteropServices;

namespace Roost.Tls.Resumption;

/// <summary>
/// The few OpenSSL 3 calls Roost makes on the <c>SSL_CTX</c> that .NET builds behind <c>SslStream</c> (docs/tls.md,
/// "Session resumption"). Bound by soname, so the process uses the same <c>libssl.so.3</c> that .NET's own
/// <c>libSystem.Security.Cryptography.Native.OpenSsl.so</c> loaded (<see cref="SslContextAccess"/> checks that).
/// </summary>
internal static partial class LibSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    // SSL_CTX_ctrl commands and flags from openssl/ssl.h (OpenSSL 3.0).
    public const int CtrlMode = 33;
    public const int CtrlGetSessCacheMode = 45;
    public const long ModeReleaseBuffers = 0x10;
    public const ulong OpNoTicket = 0x4000;

    /// <summary>TLS1_3_VERSION (openssl/prov_ssl.h), as <c>SSL_version</c> returns it.</summary>
    public const int Tls13Version = 0x0304;

    // OSSL_PARAM data types (openssl/core.h).
    public const uint ParamUtf8String = 4;
    public const uint ParamOctetString = 5;

    [LibraryImport(Ssl, EntryPoint = "SSL_get_SSL_CTX")]
    public static partial nint SslGetSslCtx(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_version")]
    public static partial int SslVersion(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_ctrl")]
    public static partial nint SslCtxCtrl(nint ctx, int command, nint larg, nint parg);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_options")]
    public static partial ulong SslCtxSetOptions(nint ctx, ulong options);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_clear_options")]
    public static partial ulong SslCtxClearOptions(nint ctx, ulong options);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_get_options")]
    public static partial ulong SslCtxGetOptions(nint ctx);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_cipher_list", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SslCtxSetCipherList(nint ctx, string ciphers);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_session_id_context")]
    public static unsafe partial int SslCtxSetSessionIdContext(nint ctx, byte* context, uint length);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_timeout")]
    public static partial nint SslCtxSetTimeout(nint ctx, nint seconds);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_tlsext_ticket_key_evp_cb")]
    public static unsafe partial int SslCtxSetTicketKeyEvpCallback(
        nint ctx,
        delegate* unmanaged<nint, byte*, byte*, nint, nint, int, int> callback);

    [LibraryImport(Crypto, EntryPoint = "OpenSSL_version_num")]
    public static partial nuint OpenSslVersionNumber();

    [LibraryImport(Crypto, EntryPoint = "EVP_aes_256_cbc")]
    public static partial nint EvpAes256Cbc();

    [LibraryImport(Crypto, EntryPoint = "EVP_EncryptInit_ex")]
    public static unsafe partial int EvpEncryptInit(nint ctx, nint cipher, nint engine, byte* key, byte* iv);

    [LibraryImport(Crypto, EntryPoint = "EVP_DecryptInit_ex")]
    public static unsafe partial int EvpDecryptInit(nint ctx, nint cipher, nint engine, byte* key, byte* iv);

    [LibraryImport(Crypto, EntryPoint = "EVP_MAC_CTX_set_params")]
    public static unsafe partial int EvpMacCtxSetParams(nint ctx, OsslParam* parameters);

    /// <summary>OpenSSL 3's <c>OSSL_PARAM</c> (openssl/core.h): 40 bytes on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct OsslParam
    {
        public byte* Key;
        public uint DataType;
        public void* Data;
        public nuint DataSize;
        public nuint ReturnSize;
    }
}
