using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Roost.Tls.Resumption;

/// <summary>
/// TLS session resumption for one server's certificates: for each served certificate, pins the OpenSSL contexts its
/// handshakes use (TLS 1.3 clients, and the others) and sets the instance's ticket keys, a session id context shared
/// by every worker, the session lifetime and — so TLS 1.2 clients can use a kept context too — the policy's TLS 1.2
/// cipher list. Until a certificate is ready (or if the runtime is not what Roost expects), its handshakes are served
/// as before: TLS 1.2 clients with a <see cref="CipherSuitesPolicy"/> and no resumption.
/// </summary>
internal sealed partial class SessionResumption
{
    private static int _warned;

    private readonly TlsPolicy _policy;
    private readonly SslProtocols _protocols;
    private readonly bool _splitsTls13;
    private readonly List<SslApplicationProtocol> _alpn;
    private readonly bool _tickets;
    private readonly TimeSpan _sessionLifetime;
    private readonly ILogger _logger;

    public SessionResumption(SecureServerOptions options, SslProtocols protocols, bool splitsTls13, List<SslApplicationProtocol> alpn, ILogger logger)
    {
        _policy = options.TlsPolicy;
        _protocols = protocols;
        _splitsTls13 = splitsTls13;
        _alpn = alpn;
        _tickets = options.SessionTickets;
        _sessionLifetime = TicketKeyRing.SessionLifetime(options.SessionTicketKeyRotation);
        _logger = logger;
        if (_tickets)
        {
            LocalTicketKeys.Start(options);
        }
    }

    /// <summary>The OpenSSL names of the policy's TLS 1.2 suites (what <see cref="CipherSuitesPolicy"/> would set).</summary>
    public static string Tls12CipherList(TlsPolicy policy) =>
        string.Join(':', TlsPolicies.CipherSuites(policy).Select(OpenSslName).OfType<string>());

    /// <summary>Pins and configures the contexts of <paramref name="served"/>; on success the certificate is marked ready.</summary>
    public async Task PrepareAsync(ServedCertificate served, CancellationToken cancellationToken)
    {
        List<SslContextPin> pins = [];
        string? problem = null;
        var sessionIdContext = SHA256.HashData(served.Bundle.Leaf.RawData);
        List<SslProtocols> variants = _splitsTls13 ? [SslProtocols.Tls13, _protocols] : [_protocols];
        foreach (var protocols in variants)
        {
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = served.Context,
                ApplicationProtocols = _alpn.Count == 0 ? null : _alpn,
                EnabledSslProtocols = protocols,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            };
            try
            {
                var (pin, pinProblem) = await SslContextPin.CreateAsync(options, cancellationToken).ConfigureAwait(false);
                if (pin is null)
                {
                    problem = pinProblem;
                    break;
                }

                pins.Add(pin);
                var tls12 = (protocols & SslProtocols.Tls12) != 0 ? Tls12CipherList(_policy) : null;
                if (!SslContextAccess.Configure(pin.Context, sessionIdContext, tls12, _tickets, _sessionLifetime, out problem))
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or MemberAccessException or InvalidOperationException)
            {
                // libssl.so.3 or one of its functions is missing, or the runtime's internals moved: serve as before.
                problem = $"{ex.GetType().Name}: {ex.Message}";
                break;
            }
        }

        if (problem is not null)
        {
            foreach (var pin in pins)
            {
                pin.Dispose();
            }

            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.ResumptionUnavailable(_logger, ErrorMessages.ResumptionUnavailable(problem));
            }

            served.MarkResumption(null);
            return;
        }

        served.MarkResumption(pins);
        Log.ResumptionReady(_logger, served.Bundle.Leaf.Subject, pins.Count, _tickets);
    }

    private static string? OpenSslName(TlsCipherSuite suite) => suite switch
    {
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 => "ECDHE-ECDSA-AES128-SHA256",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 => "ECDHE-RSA-AES128-SHA256",
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 => "ECDHE-ECDSA-AES256-SHA384",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 => "ECDHE-RSA-AES256-SHA384",
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA => "ECDHE-ECDSA-AES128-SHA",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA => "ECDHE-RSA-AES128-SHA",
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA => "ECDHE-ECDSA-AES256-SHA",
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA => "ECDHE-RSA-AES256-SHA",
        TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256 => "AES128-GCM-SHA256",
        TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384 => "AES256-GCM-SHA384",

        // TLS 1.3 suites are not in the TLS 1.2 cipher list (OpenSSL sets them apart).
        _ => null,
    };

    private static partial class Log
    {
        [LoggerMessage(EventIds.SessionResumptionUnavailable, LogLevel.Warning, "{Message}", EventName = "SessionResumptionUnavailable")]
        public static partial void ResumptionUnavailable(ILogger logger, string message);

        [LoggerMessage(EventIds.SessionResumptionReady, LogLevel.Debug, "TLS sessions of certificate '{Subject}' resume on any worker ({Contexts} OpenSSL contexts set up; tickets {Tickets})", EventName = "SessionResumptionReady")]
        public static partial void ResumptionReady(ILogger logger, string subject, int contexts, bool tickets);
    }
}
