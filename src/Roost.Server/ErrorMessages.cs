using System.Security.Cryptography.X509Certificates;
using Roost.Tls;

namespace Roost;

/// <summary>
/// Every user-facing message of the server library, one format method per message, so tests can assert on them and
/// the wording stays consistent. Each answers: what was wrong, which input, what value was seen, and what to do.
/// </summary>
internal static partial class ErrorMessages
{
    // ---- TLS material -------------------------------------------------------------------------------------------

    public static string TlsFileMissing(string path, string option) =>
        $"TLS file '{path}' (option {option}) does not exist. Check the path; relative paths are resolved against the working directory '{Environment.CurrentDirectory}'.";

    public static string TlsFileUnreadable(string path, string option, string reason) =>
        $"TLS file '{path}' (option {option}) cannot be read: {reason} Check the file's permissions and that the server's user can read it.";

    public static string TlsFileNotProvided(string path, string option) =>
        $"TLS file '{path}' (option {option}) was not sent by the primary: a worker started with --user gets its TLS files from the primary and reads none itself. Give the file to the primary (roost serve|run) on its command line or in roost.json.";

    public static string TlsInputEmpty(TlsInput input, string option) =>
        $"TLS input {input} (option {option}) is empty. Check that the file was written completely; a renewal that is still in progress can leave an empty file.";

    public static string TlsPfxAndPem(TlsOptionNames names) =>
        $"Both {names.Pfx} and {names.Cert}/{names.Key} were given. Give either a PFX bundle ({names.Pfx}, with {names.Passphrase} if it has a password) or a certificate and key ({names.Cert} and {names.Key}), not both.";

    public static string TlsNothingGiven(TlsOptionNames names) =>
        $"No server certificate was given. Set {names.Cert} and {names.Key} (the files your CA issued), or {names.Pfx}; for local testing 'roost cert dev' makes a development chain.";

    public static string TlsNotACertificate(TlsInput input, string option, string content) =>
        $"TLS input {input} (option {option}) does not hold a certificate: found {content}. Expected PEM ('-----BEGIN CERTIFICATE-----') or DER; {SwapHint(content, option)}";

    public static string TlsCorruptCertificate(TlsInput input, string option, int index, string detail) =>
        $"Certificate number {index} in {input} (option {option}) is corrupt: {detail} Download or copy the file again.";

    public static string TlsKeyMissing(TlsInput cert, TlsOptionNames names) =>
        $"No private key was given for certificate {cert} (option {names.Cert}). Set {names.Key} to the private key file created with the certificate request (often '.key').";

    public static string TlsKeyDoesNotMatch(TlsInput key, TlsInput cert, X509Certificate2 leaf, TlsOptionNames names) =>
        $"Private key {key} (option {names.Key}) does not match certificate {cert} (option {names.Cert}; subject '{leaf.Subject}', thumbprint {leaf.Thumbprint}, key {KeyKind(leaf)}). Make sure both files come from the same issuance.";

    public static string TlsKeyEncryptedNoPassphrase(TlsInput key, TlsOptionNames names) =>
        $"Private key {key} (option {names.Key}) is encrypted, but no passphrase was given. Set {names.Passphrase}, or decrypt the key once with 'openssl pkey -in <key> -out <plain key>' and keep it readable only by the server's user.";

    public static string TlsKeyWrongPassphrase(TlsInput key, TlsOptionNames names) =>
        $"Private key {key} (option {names.Key}) could not be decrypted with the passphrase given in {names.Passphrase}. Check the passphrase (it is case-sensitive; a trailing newline from a file counts).";

    public static string TlsKeyLegacyEncryption(TlsInput key, TlsOptionNames names) =>
        $"Private key {key} (option {names.Key}) uses OpenSSL's legacy PEM encryption ('Proc-Type: 4,ENCRYPTED'), which .NET cannot read. Convert it once: 'openssl pkcs8 -topk8 -in <key> -out <new key>' (encrypted PKCS#8), then pass {names.Passphrase}.";

    public static string TlsKeyUnsupported(TlsInput key, TlsOptionNames names) =>
        $"Private key {key} (option {names.Key}) is not an RSA or EC (ECDSA) key this server can use. Issue the certificate with an RSA (2048 bits or more) or EC P-256/P-384 key.";

    public static string TlsNotAKey(TlsInput key, TlsOptionNames names, string content) =>
        $"TLS input {key} (option {names.Key}) does not hold a private key: found {content}. Expected PEM ('-----BEGIN PRIVATE KEY-----', 'RSA PRIVATE KEY', 'EC PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY') or DER PKCS#1/PKCS#8/SEC1; {SwapHint(content, names.Key)}";

    public static string TlsNotAPfx(TlsInput pfx, TlsOptionNames names, string content) =>
        $"TLS input {pfx} (option {names.Pfx}) is not a PKCS#12 (PFX) bundle: found {content}. Pass PEM or DER files as {names.Cert} and {names.Key} instead, or make a PFX with 'openssl pkcs12 -export'.";

    public static string TlsPfxPassword(TlsInput pfx, bool passphraseGiven, TlsOptionNames names) => passphraseGiven
        ? $"PFX {pfx} (option {names.Pfx}) could not be opened with the passphrase given in {names.Passphrase}. Check the passphrase."
        : $"PFX {pfx} (option {names.Pfx}) is protected by a password, but no passphrase was given. Set {names.Passphrase}.";

    public static string TlsPfxWithoutKey(TlsInput pfx, TlsOptionNames names) =>
        $"PFX {pfx} (option {names.Pfx}) holds no certificate with a private key. Export it again including the private key ('openssl pkcs12 -export -inkey <key> -in <cert>').";

    private static string SwapHint(string content, string option)
    {
        if (content.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return $"this is a private key: did you swap the certificate and the key?";
        }

        if (content.Contains("'CERTIFICATE'", StringComparison.Ordinal))
        {
            return $"this is a certificate: did you swap the certificate and the key?";
        }

        if (content.Contains("PKCS#12", StringComparison.Ordinal))
        {
            return "this is a PFX bundle: pass it as Pfx (--pfx) instead.";
        }

        if (content.Contains("PKCS#7", StringComparison.Ordinal))
        {
            return "this is a PKCS#7 bundle: convert it with 'openssl pkcs7 -print_certs -in <file> -out <file>.pem'.";
        }

        return $"check that {option} points at the right file.";
    }

    private static string KeyKind(X509Certificate2 certificate) =>
        certificate.GetRSAPublicKey() is { } rsa ? $"RSA {rsa.KeySize}"
        : certificate.GetECDsaPublicKey() is { } ec ? $"EC {ec.KeySize}"
        : certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown";

    // ---- Options ------------------------------------------------------------------------------------------------

    public static string ShutdownTimeoutNegative(TimeSpan value) =>
        $"ServerOptions.ShutdownTimeout must not be negative; got {value}. Use TimeSpan.Zero to abort in-flight requests at once.";

    public static string SettleTimeNegative(TimeSpan value) =>
        $"SecureServerOptions.CertificateReloadSettleTime must not be negative; got {value}.";

    public static string TicketKeyRotationNotPositive(TimeSpan value) =>
        $"SecureServerOptions.SessionTicketKeyRotation must be positive; got {value}.";

    public static string ExpiryWarningNegative(TimeSpan value) =>
        $"CertificateCheckOptions.ExpiryWarning must not be negative; got {value}.";

    public static string Http2OptionNegative<T>(string name, T value) =>
        $"ServerOptions.Http2.{name} must not be negative; got {value}. Use 0 to turn it off.";

    public static string LimitNotPositive<T>(string name, T value, bool nullAllowed) => nullAllowed
        ? $"ServerOptions.Limits.{name} must be positive, or null for no limit; got {value}."
        : $"ServerOptions.Limits.{name} must be positive; got {value}.";

    // ---- Listening ----------------------------------------------------------------------------------------------

    public static string ListenAddressInUse(string endPoint, string portHint, Server.Internal.PortOwners.Owner? owner = null) => owner is null
        ? $"Cannot listen on {endPoint}: the address is already in use. Stop the other process or choose another port{portHint}."
        : $"Cannot listen on {endPoint}: the address is already in use by pid {owner.Pid} ('{owner.Command}'). Stop that process or choose another port{portHint}.";

    public static string ListenPermissionDenied(string endPoint, int port) => ListenPermissionDenied(endPoint, port, Environment.ProcessPath);

    /// <summary>The advice depends on what runs: capabilities on the shared <c>dotnet</c> host would reach every .NET program.</summary>
    public static string ListenPermissionDenied(string endPoint, int port, string? processPath)
    {
        var program = Path.GetFileNameWithoutExtension(processPath ?? string.Empty);
        var grant = program == "dotnet"
            ? "or run it under systemd with 'AmbientCapabilities=CAP_NET_BIND_SERVICE', or publish it with an apphost and grant that executable the capability ('setcap cap_net_bind_service=+ep ./yourapp') — not the shared 'dotnet' host, which would give the capability to every .NET program"
            : $"or grant the capability to this executable ('setcap cap_net_bind_service=+ep {processPath}') or run it under systemd with 'AmbientCapabilities=CAP_NET_BIND_SERVICE'";
        return $"Cannot listen on {endPoint}: permission denied. Ports below 1024 need root or the CAP_NET_BIND_SERVICE capability; use a port of 1024 or above (got {port}), {grant}.";
    }

    public static string ListenAddressNotAvailable(string endPoint) =>
        $"Cannot listen on {endPoint}: the address is not assigned to any interface of this machine. Use 0.0.0.0 (all IPv4 addresses), :: (all addresses) or an address this machine has.";

    public static string ListenFailed(string endPoint, string reason) =>
        $"Cannot listen on {endPoint}: {reason}";

    public static string PortOutOfRange(int port) =>
        $"Port {port} is out of range. Use a port from 1 to 65535, or 0 to let the system pick a free one.";

    public static string HostInvalid(string host) =>
        $"Host '{host}' is not an IP address. Use an address such as 127.0.0.1, 0.0.0.0 or ::, or 'localhost'.";

    public static string AlreadyListening(string endPoint) =>
        $"The server is already listening on {endPoint}. Create another server to listen on a second port.";

    public static string ServerClosed() =>
        "The server was closed; a closed server cannot listen again. Create a new server.";

    // ---- Responses ----------------------------------------------------------------------------------------------

    public static string HeadersAlreadySent(string action) =>
        $"Cannot {action}: the response headers were already sent. Set the status and headers before the first Write or End.";

    public static string WriteAfterEnd() =>
        "Cannot write after End(): the response is complete. Write everything before calling End.";

    public static string RequestBodyTooLarge(long length, long limit) =>
        $"Request body too large: Content-Length {length} is over this server's limit of {limit} bytes.";

    public static string RequestBodyOverLimit(long limit) =>
        $"Request body too large: more than this server's limit of {limit} bytes was sent.";

    public static string NotAClientHello(string firstBytes) =>
        $"the first TLS record (starting {firstBytes}) is not a TLS ClientHello; the connection was closed before the handshake.";

    public static string Http1NotAllowed() =>
        "This server speaks HTTP/2 only (h2 negotiated with ALPN) and the client did not negotiate it. Use an HTTP/2 client, or set SecureServerOptions.AllowHttp1 = true on the server to serve HTTP/1.1 clients as well.";

    public static string StatusCodeOutOfRange(int statusCode) =>
        $"Status code {statusCode} is out of range. Use a code from 100 to 999.";

    public static string HandlerFailed(string method, string path) =>
        $"The request handler threw for {method} {path}; the client got status 500 (or the connection was closed if the response had started).";
}
