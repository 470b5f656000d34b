using System.Globalization;
using Roost.Acme;

namespace Roost;

/// <summary>The messages of automatic certificates (ACME): one line each, naming the names, the CA's words and what to check.</summary>
internal static partial class ErrorMessages
{
    public static string AcmeRequestFailed(string what, string url, int status, AcmeProblem? problem) =>
        $"The ACME server answered the {what} request ('{url}') with HTTP {status.ToString(CultureInfo.InvariantCulture)}{Problem(problem)}.";

    public static string AcmeUnreachable(string url, string reason, AcmeSettingNames names) =>
        $"Cannot reach the ACME server at '{url}': {reason.TrimEnd('.')}. Check {names.DirectoryUrl}, DNS and the network (proxy, firewall); retrying with back-off.";

    public static string AcmeOrderFailed(string names, string status, AcmeProblem? problem) =>
        $"The ACME order for '{names}' ended '{status}'{Problem(problem)}.";

    public static string AcmeNoUsableChallenge(string name, IEnumerable<string> offered, IEnumerable<string> usable, AcmeSettingNames names) =>
        $"The CA offers no challenge Roost can answer for '{name}' (offered: {string.Join(", ", offered)}; usable here: {string.Join(", ", usable)}). Check {names.Challenge} and {names.HttpPort} (the HTTP-01 listener must be on for http-01).";

    public static string AcmeTlsAlpnNoChallenge(string? serverName) =>
        $"The client offered only the ACME challenge protocol acme-tls/1 for '{serverName ?? "(no server name)"}', and no TLS-ALPN-01 challenge is pending for that name.";

    public static string AcmeChallengesFailed(IEnumerable<string> messages) =>
        string.Join(" Then: ", messages);

    public static string AcmePollTimedOut(string what, string url, TimeSpan timeout) =>
        $"The ACME {what} ('{url}') was still pending after {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} seconds.";

    public static string AcmeChallengeFailed(string name, string challengeType, string status, AcmeProblem? problem) =>
        $"The CA could not validate '{name}' with {challengeType} (authorization '{status}'){Problem(problem)}. Check that '{name}' resolves (DNS A/AAAA) to this server and that {(challengeType == "tls-alpn-01" ? "port 443 reaches roost itself, not a proxy or CDN that ends TLS in front of it (firewall, another server on port 443)" : "port 80 reaches roost (firewall, another server on port 80, a CDN or proxy in front)")}.";

    public static string AcmeLocked(string names, string folder, int pid, AcmeSettingNames settings) =>
        $"Another roost ({(pid > 0 ? "pid " + pid.ToString(CultureInfo.InvariantCulture) : "process")}) already manages the certificate for '{names}' (lock '{Path.Combine(folder, "lock")}'). Stop it, or give this instance other {settings.Domains} names or another {settings.StateDirectory}.";

    public static string AcmeCaCertificateInvalid(string path, string reason, AcmeSettingNames names) =>
        $"ACME CA certificate file '{path}' ({names.CaCertificateFile}) cannot be used: {reason.TrimEnd('.')}. Give a PEM file with the certificate(s) the ACME server's HTTPS certificate chains to.";

    public static string AcmeIssuedRejected(string names, IEnumerable<string> errors) =>
        $"The certificate the CA issued for '{names}' failed Roost's certificate check and was not installed: {string.Join(" ", errors)}";

    public static string AcmeStateUnreadable(string path, string reason, AcmeSettingNames names) =>
        $"Cannot read ACME state '{path}': {reason.TrimEnd('.')}. Check the permissions of {names.StateDirectory} (its folders are 0700, owned by the user roost runs as).";

    public static string AcmeHttp01PortHint(AcmeSettingNames names) =>
        $" with {names.HttpPort} (the CA always connects to port 80: forward it there)";

    public static string AcmeTlsAlpnPortHint(AcmeSettingNames names) =>
        $" with {names.ServingPort} (TLS-ALPN-01: the CA always connects to port 443: forward it there)";

    public static string AcmeServingPlaceholder(AcmeSettingNames names) =>
        $"serving the development chain until then ({names.FallbackToDevelopment})";

    public static string AcmeServingNothing(AcmeSettingNames names) =>
        $"no certificate to serve yet: nothing is served until one is issued ({names.FallbackToDevelopment} serves the development chain meanwhile)";

    public static string AcmeWithCertificate() =>
        "SecureServerOptions.Acme obtains the certificate automatically and cannot be combined with Cert, Key, Pfx or Ca. Remove one or the other (SniCertificates may stay: they serve other names).";

    public static string AcmeNoDomains() =>
        "SecureServerOptions.Acme.Domains is empty: add the DNS name(s) the certificate is for, e.g. Domains = { \"example.com\" }.";

    public static string AcmeDomainInvalid(string? name) =>
        $"SecureServerOptions.Acme.Domains holds '{name}', which is not a DNS name a public CA can issue for (no wildcards, no IP addresses, labels of letters, digits and '-').";

    public static string AcmeTermsNotAgreed(string names, string? directory) =>
        $"SecureServerOptions.Acme for '{names}' needs AgreeToTermsOfService = true: read the terms of service of the ACME CA ('{directory}'; Let's Encrypt: https://letsencrypt.org/repository/) and set it to agree.";

    public static string AcmeDirectoryInvalid(string? directory) =>
        $"SecureServerOptions.Acme.DirectoryUrl is '{directory}': give an https:// ACME directory URL, or letsencrypt / letsencrypt-staging.";

    public static string AcmeHttpPortOutOfRange(int port) =>
        $"SecureServerOptions.Acme.HttpPort is {port.ToString(CultureInfo.InvariantCulture)}: give a port from 1 to 65535 (the CA connects to port 80), or 0 to turn the HTTP-01 listener off.";

    public static string AcmeHttp01WithoutListener() =>
        "SecureServerOptions.Acme.Challenge is Http01, but HttpPort is 0 (no HTTP-01 listener). Give HttpPort (the CA connects to port 80), or use AcmeChallenge.TlsAlpn01.";

    public static string AcmeEmailInvalid(string email) =>
        $"SecureServerOptions.Acme.Email is '{email}', which is not an e-mail address.";

    public static string AcmeInClusterWorker(string names) =>
        $"SecureServerOptions.Acme ('{names}') runs in one process only, and this is a cluster worker: each worker would order the same certificate. Serve with roost serve --domain or roost run --domain (the primary obtains and renews it), or listen in a single process.";

    public static string AcmeListenGaveUp(string names, string directory, bool validationFailure, string reason) =>
        $"ListenAsync gave up: no certificate for '{names}' could be obtained from '{directory}' ({(validationFailure ? "the CA refused to validate a name" : $"{HttpServer.AcmeFirstCertificateAttempts.ToString(CultureInfo.InvariantCulture)} attempts failed")}), so the server does not listen. The last attempt: {reason.TrimEnd('.')}. Fix that and call ListenAsync again, or set SecureServerOptions.Acme.FallbackToDevelopment = true to serve the development chain while Roost keeps trying.";

    public static string AcmeNotStarted() =>
        "The server's certificate comes from SecureServerOptions.Acme and is obtained when the server starts listening: call ListenAsync first.";

    /// <summary>": urn:…:connection: detail" or "" when the CA sent no problem document.</summary>
    private static string Problem(AcmeProblem? problem)
    {
        if (problem is null)
        {
            return string.Empty;
        }

        var text = $": {problem.Type ?? "no problem type"}: {problem.Detail?.TrimEnd('.') ?? "no detail"}";
        if (problem.Subproblems is { Count: > 0 } subproblems)
        {
            text += " (" + string.Join("; ", subproblems.Select(s => $"{s.Identifier?.Value ?? "?"}: {s.Type}: {s.Detail?.TrimEnd('.')}")) + ")";
        }

        return text;
    }
}
