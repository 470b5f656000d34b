using Microsoft.Extensions.Logging;

namespace Roost.Acme;

/// <summary>Source-generated log methods of automatic certificates (event ids 1300–1399).</summary>
internal static partial class AcmeLog
{
    [LoggerMessage(EventIds.AcmeOrderPlaced, LogLevel.Information, "ACME order for {Names} placed ({OrderUrl})", EventName = "AcmeOrderPlaced")]
    public static partial void OrderPlaced(ILogger logger, string names, string orderUrl);

    [LoggerMessage(EventIds.AcmeNameValidated, LogLevel.Information, "ACME: {Name} validated with {ChallengeType}", EventName = "AcmeNameValidated")]
    public static partial void NameValidated(ILogger logger, string name, string challengeType);

    [LoggerMessage(EventIds.AcmeCertificateInstalled, LogLevel.Information, "Certificate for {Names} obtained from {Issuer}: serial {SerialNumber}, valid until {NotAfter:u}; installed as {CertificatePath}; next renewal at {NextAttempt:u}", EventName = "AcmeCertificateInstalled")]
    public static partial void CertificateInstalled(ILogger logger, string names, string issuer, string serialNumber, DateTimeOffset notAfter, string certificatePath, DateTimeOffset nextAttempt);

    [LoggerMessage(EventIds.AcmeAttemptFailed, LogLevel.Error, "Certificate for {Names} not obtained: {Reason} Next attempt at {NextAttempt:u} (attempt {Attempt}); {Serving}", EventName = "AcmeAttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, string names, string reason, DateTimeOffset nextAttempt, int attempt, string serving);

    [LoggerMessage(EventIds.AcmeNoCertificateYet, LogLevel.Warning, "No certificate for {Names} yet: ordering one from {DirectoryUrl}; nothing is served until it is issued (no HTTPS client gets a handshake). {FallbackSetting} serves the development chain meanwhile", EventName = "AcmeNoCertificateYet")]
    public static partial void NoCertificateYet(ILogger logger, string names, string directoryUrl, string fallbackSetting);

    [LoggerMessage(EventIds.AcmeAccountCreated, LogLevel.Information, "ACME account {AccountUrl} created at {DirectoryUrl} (key {AccountKeyPath})", EventName = "AcmeAccountCreated")]
    public static partial void AccountCreated(ILogger logger, string accountUrl, string directoryUrl, string accountKeyPath);

    [LoggerMessage(EventIds.AcmeRenewalScheduled, LogLevel.Information, "Certificate for {Names} (serial {SerialNumber}, valid until {NotAfter:u}) reused from {CertificatePath}; next renewal at {NextAttempt:u}", EventName = "AcmeRenewalScheduled")]
    public static partial void CertificateReused(ILogger logger, string names, string serialNumber, DateTimeOffset notAfter, string certificatePath, DateTimeOffset nextAttempt);

    [LoggerMessage(EventIds.AcmeHttp01Answered, LogLevel.Debug, "HTTP-01 challenge {Token} answered", EventName = "AcmeHttp01Answered")]
    public static partial void Http01ChallengeAnswered(ILogger logger, string token);

    [LoggerMessage(EventIds.AcmeHttp01AcceptFailed, LogLevel.Debug, "HTTP-01 listener: accept failed ({Error}); still listening", EventName = "AcmeHttp01AcceptFailed")]
    public static partial void Http01AcceptFailed(ILogger logger, string error);

    [LoggerMessage(EventIds.AcmeHttp01Listening, LogLevel.Information, "HTTP-01 challenges and HTTPS redirects on http://{EndPoint}", EventName = "AcmeHttp01Listening")]
    public static partial void Http01Listening(ILogger logger, string endPoint);

    [LoggerMessage(EventIds.AcmeLoopFailed, LogLevel.Error, "The certificate renewal loop for {Names} failed unexpectedly; it restarts in one minute", EventName = "AcmeLoopFailed")]
    public static partial void LoopFailed(ILogger logger, string names, Exception exception);

    [LoggerMessage(EventIds.AcmePlaceholderInstalled, LogLevel.Warning, "No certificate for {Names} yet: serving the development chain (serial {SerialNumber}, untrusted by browsers) until one is obtained from {DirectoryUrl} ({FallbackSetting}); it is then swapped in without a restart", EventName = "AcmePlaceholderInstalled")]
    public static partial void PlaceholderInstalled(ILogger logger, string names, string serialNumber, string directoryUrl, string fallbackSetting);

    [LoggerMessage(EventIds.AcmeRenewalWindow, LogLevel.Information, "ACME renewal information for {Names}: the CA suggests renewing between {Start:u} and {End:u} (explanation: {ExplanationUrl}); next renewal at {NextAttempt:u}", EventName = "AcmeRenewalWindow")]
    public static partial void RenewalWindow(ILogger logger, string names, DateTimeOffset start, DateTimeOffset end, string explanationUrl, DateTimeOffset nextAttempt);

    [LoggerMessage(EventIds.AcmeRenewalInfoFailed, LogLevel.Warning, "ACME renewal information for {Names} not read: {Reason} The renewal schedule stays; asking again in one hour", EventName = "AcmeRenewalInfoFailed")]
    public static partial void RenewalInfoFailed(ILogger logger, string names, string reason);

    [LoggerMessage(EventIds.AcmeTlsAlpnListening, LogLevel.Information, "TLS-ALPN-01 challenges answered on {EndPoint} until the first certificate is issued (other clients are refused until then)", EventName = "AcmeTlsAlpnListening")]
    public static partial void TlsAlpnListening(ILogger logger, string endPoint);

    [LoggerMessage(EventIds.AcmeTlsAlpnAnswered, LogLevel.Debug, "TLS-ALPN-01 challenge answered to {Remote}", EventName = "AcmeTlsAlpnAnswered")]
    public static partial void TlsAlpnChallengeAnswered(ILogger logger, string remote);

    [LoggerMessage(EventIds.AcmeTlsAlpnRefused, LogLevel.Debug, "TLS-ALPN-01 responder: handshake from {Remote} refused ({Reason})", EventName = "AcmeTlsAlpnRefused")]
    public static partial void TlsAlpnHandshakeRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventIds.AcmeTlsAlpnAcceptFailed, LogLevel.Debug, "TLS-ALPN-01 responder: accept failed ({Error}); still listening", EventName = "AcmeTlsAlpnAcceptFailed")]
    public static partial void TlsAlpnAcceptFailed(ILogger logger, string error);

    [LoggerMessage(EventIds.AcmeTlsAlpnUnavailable, LogLevel.Warning, "TLS-ALPN-01 cannot be answered before the first certificate: {Reason}; using http-01 only until then", EventName = "AcmeTlsAlpnUnavailable")]
    public static partial void TlsAlpnUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventIds.AcmeChallengeFallback, LogLevel.Warning, "ACME: {Names} could not be validated with {Failed}; trying {Next} at once", EventName = "AcmeChallengeFallback")]
    public static partial void ChallengeFallback(ILogger logger, string names, string failed, string next);
}
