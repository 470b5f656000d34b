using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Roost.Tls;

namespace Roost;

/// <summary>The messages of <see cref="CertificateCheck"/> (one per finding) and of certificate reloads.</summary>
internal static partial class ErrorMessages
{
    // ---- Checker: files -----------------------------------------------------------------------------------------

    public static string CheckFormat(string file, string encoding, int count, bool isServerCertificate) => (count, isServerCertificate) switch
    {
        (1, _) => $"{file} is {encoding} with 1 certificate.",
        (_, true) => $"{file} is {encoding} with {count} certificates: the first is the server certificate, the other {count - 1} are used as its chain (put in order automatically).",
        _ => $"{file} is {encoding} with {count} certificates.",
    };

    public static string CheckFormatMismatch(string file, string encoding, string extension) =>
        $"{file} is {encoding} although its extension '{extension}' usually means {(encoding == "PEM" ? "DER" : "PEM")}; it was read as {encoding}, no action needed.";

    public static string CheckKeyMatches(string key, string cert, X509Certificate2 leaf) =>
        $"Private key {key} matches certificate {cert} ({Describe(leaf)}).";

    // ---- Checker: validity --------------------------------------------------------------------------------------

    public static string CheckValid(string file, X509Certificate2 certificate, DateTimeOffset now) =>
        $"Certificate {file} ({Describe(certificate)}) is valid from {Date(certificate.NotBefore)} until {Date(certificate.NotAfter)} ({Days(certificate.NotAfter, now)} days left).";

    public static string CheckExpired(string file, X509Certificate2 certificate, DateTimeOffset now) =>
        $"Certificate {file} ({Describe(certificate)}) expired on {Date(certificate.NotAfter)} ({-Days(certificate.NotAfter, now)} days ago). Renew it with your CA and replace the file; a running server picks up the new file without a restart.";

    public static string CheckNotYetValid(string file, X509Certificate2 certificate, DateTimeOffset now) =>
        $"Certificate {file} ({Describe(certificate)}) is not valid until {Date(certificate.NotBefore)} (now is {Date(now)}). Check this machine's clock, or wait until then.";

    public static string CheckExpiresSoon(string file, X509Certificate2 certificate, DateTimeOffset now, TimeSpan window) =>
        $"Certificate {file} ({Describe(certificate)}) expires on {Date(certificate.NotAfter)}, in {Days(certificate.NotAfter, now)} days (less than {window.TotalDays.ToString(CultureInfo.InvariantCulture)}). Renew it now (e.g. 'certbot renew'); a running server picks up the new files without a restart.";

    public static string CheckExpiresSoonRenewedAutomatically(string file, X509Certificate2 certificate, DateTimeOffset now) =>
        $"Certificate {file} ({Describe(certificate)}) expires on {Date(certificate.NotAfter)}, in {Days(certificate.NotAfter, now)} days; Roost renews it automatically from the ACME CA ('roost cert status' shows the next attempt).";

    // ---- Checker: key and signature -----------------------------------------------------------------------------

    public static string CheckKeyStrength(string file, string key) =>
        $"Certificate {file} has a {key} key.";

    public static string CheckWeakKey(string file, X509Certificate2 certificate, string key, string minimum) =>
        $"Certificate {file} ({Describe(certificate)}) has a {key} key; at least {minimum} is required (CA/Browser Forum Baseline Requirements §6.1.5) and clients refuse weaker keys. Issue a new certificate with an RSA 2048+ or EC P-256 key.";

    public static string CheckSignature(string file, string algorithm) =>
        $"Certificate {file} is signed with {algorithm}.";

    public static string CheckSha1Signature(string file, X509Certificate2 certificate, string algorithm) =>
        $"Certificate {file} ({Describe(certificate)}) is signed with SHA-1 ({algorithm}); browsers have rejected SHA-1 signed server certificates since 2017. Ask your CA to reissue it with SHA-256.";

    public static string CheckBrokenSignature(string file, X509Certificate2 certificate, string algorithm) =>
        $"Certificate {file} ({Describe(certificate)}) is signed with {algorithm}, which is broken; no client accepts it. Ask your CA to reissue it with SHA-256.";

    // ---- Checker: usage and names -------------------------------------------------------------------------------

    public static string CheckServerAuth(string file) =>
        $"Certificate {file} may be used by TLS servers (extended key usage serverAuth).";

    public static string CheckNoServerAuth(string file, X509Certificate2 certificate, string usages) =>
        $"Certificate {file} ({Describe(certificate)}) has extended key usages {usages} but not serverAuth ({CertificateChainFactory.ServerAuthOid}); TLS clients refuse it as a server certificate. Issue a certificate for 'TLS Web Server Authentication'.";

    public static string CheckNoEku(string file, X509Certificate2 certificate) =>
        $"Certificate {file} ({Describe(certificate)}) has no extended key usage extension; most clients accept that, but the CA/Browser Forum Baseline Requirements (§7.1.2.7.10) require serverAuth and strict clients refuse it. Ask your CA for a certificate with 'TLS Web Server Authentication'.";

    public static string CheckLeafIsCa(string file, X509Certificate2 certificate, string certOption, string caOption) =>
        $"Certificate {file} ({Describe(certificate)}) is a CA certificate (basicConstraints CA:true), not a server certificate; clients refuse it. Pass your server (leaf) certificate as {certOption} and the CA certificates as {caOption}.";

    public static string CheckNames(string file, IReadOnlyList<string> names) =>
        $"Certificate {file} covers {string.Join(", ", names.Select(n => $"'{n}'"))}.";

    public static string CheckHostCovered(string host, string file, string entry) =>
        $"Host name '{host}' (option --host) is covered by certificate {file} (subject alternative name '{entry}').";

    public static string CheckHostMismatch(string host, string file, X509Certificate2 certificate, IReadOnlyList<string> names) =>
        $"Host name '{host}' (option --host) is not in the subject alternative names of certificate {file} ({Describe(certificate)}; names: {(names.Count == 0 ? "none" : string.Join(", ", names.Select(n => $"'{n}'")))}). Browsers check only these names, never the subject's CN; get a certificate that lists '{host}'.";

    public static string CheckNoSubjectAltName(string file, X509Certificate2 certificate) =>
        $"Certificate {file} ({Describe(certificate)}) has no subject alternative names; browsers ignore the subject's CN and will accept it for no host name. Issue a certificate that lists every host name as a DNS name.";

    // ---- Checker: chain -----------------------------------------------------------------------------------------

    public static string CheckChain(string sent, string end) =>
        $"Chain sent in each handshake: {sent}; {end}.";

    public static string CheckChainEndRoot(string subject, string file) =>
        $"it ends at root '{subject}' from {file}, which is not sent";

    public static string CheckChainEndTrusted(string subject) =>
        $"it ends at root '{subject}', trusted on this machine";

    public static string CheckChainEndUnknown(string subject) =>
        $"clients must trust its issuer '{subject}' themselves";

    public static string CheckIntermediateMissing(string file, X509Certificate2 certificate, string caOption, string? unrelatedRoot) =>
        $"Certificate {file} ({Describe(certificate)}) was issued by '{certificate.Issuer}', but that certificate was not given{(unrelatedRoot is null ? string.Empty : $" (the root '{unrelatedRoot}' was given, but it did not issue this certificate)")}: the intermediate is missing, and clients that trust only the root cannot verify the server. Pass the intermediate certificate(s) from your CA with {caOption} (often 'chain.pem', 'ca-bundle.crt' or the second certificate of 'fullchain.pem').";

    public static string CheckChainIncomplete(string file, X509Certificate2 certificate, string caOption) =>
        $"The chain ends at {file} ({Describe(certificate)}), issued by '{certificate.Issuer}', which was not given and is not trusted on this machine. If that is a root your clients trust (a private CA), this is fine (pass it with {caOption} to confirm; it is not sent); otherwise an intermediate is missing.";

    public static string CheckChainReordered(string given, string sent) =>
        $"The chain was given out of order ({given}); it is sent in order ({sent}). Fix the order in the files (each certificate followed by its issuer) so that servers which send files as given (nginx, Node) work too.";

    public static string CheckUnrelatedCertificate(string file, X509Certificate2 certificate, X509Certificate2 leaf) =>
        $"Certificate '{certificate.Subject}' in {file} is not part of the chain of the server certificate '{leaf.Subject}' (issuer '{leaf.Issuer}'); it belongs to another chain and is not sent. Remove it, or check that the file is this certificate's chain.";

    public static string CheckRootIncluded(string file, X509Certificate2 root) =>
        $"Root '{root.Subject}' in {file} is not sent (clients use their own copy); giving it is fine and lets the chain be verified here.";

    public static string CheckSelfSigned(string file, X509Certificate2 certificate) =>
        $"Certificate {file} ({Describe(certificate)}) is self-signed: browsers and other clients will not trust it unless it is installed on each of them. Use a certificate from a CA (for local testing, 'roost cert dev' makes a chain with a root you can trust).";

    public static string CheckChainInvalid(string file, X509Certificate2 certificate, string status) =>
        $"The chain of certificate {file} ({Describe(certificate)}) does not verify up to its root: {status}. Download the certificate and the chain again from your CA; the files do not belong together.";

    // ---- Serving: SNI and client certificates -------------------------------------------------------------------

    public static string UnknownServerName(string serverName) =>
        $"No certificate is configured for host name '{serverName}' (SNI) and UnknownServerName is Refuse; the handshake was refused. Add a certificate for it to SniCertificates, or set UnknownServerName to UseDefault.";

    public static string ClientCaMissing(ClientCertificateMode mode) =>
        $"ClientCertificateMode is {mode}, but ClientCertificateAuthorities is empty. Add the CA certificate(s) that issue your clients' certificates (option --client-ca), or set the mode to Off.";

    public static string ClientCertificateMissing() =>
        "the client sent no certificate, and client certificates are required (ClientCertificateMode Require).";

    public static string ClientCertificateRejected(X509Certificate2 certificate, string status) =>
        $"client certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) is not accepted: {status}. It must chain to one of ClientCertificateAuthorities and carry the clientAuth extended key usage.";

    public static string SniOptionInvalid(string value) =>
        $"Option --sni '{value}' is not HOST=CERT,KEY[,CA...]. Example: --sni 'api.example.com=api.pem,api.key,chain.pem' (the host may be a wildcard such as '*.example.com').";

    public static string NotSecure() =>
        "This server has no TLS certificate to reload: it was created by Http.CreateServer. Use Https.CreateServer or Http2.CreateSecureServer.";

    // ---- Helpers ------------------------------------------------------------------------------------------------

    internal static string Describe(X509Certificate2 certificate) =>
        $"subject '{certificate.Subject}', serial {certificate.SerialNumber}";

    internal static string Date(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static long Days(DateTime when, DateTimeOffset now) =>
        (long)(new DateTimeOffset(when.ToUniversalTime()) - now).TotalDays;
}
