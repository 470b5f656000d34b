using Microsoft.Extensions.Logging;

namespace Roost;

/// <summary>Source-generated log methods of the server library.</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.Listening, LogLevel.Information, "Listening on {EndPoint} ({Protocols})", EventName = "Listening")]
    public static partial void Listening(ILogger logger, string endPoint, string protocols);

    [LoggerMessage(EventIds.Closing, LogLevel.Information, "Closing {EndPoint}: in-flight requests get up to {ShutdownTimeout} to finish", EventName = "Closing")]
    public static partial void Closing(ILogger logger, string endPoint, TimeSpan shutdownTimeout);

    [LoggerMessage(EventIds.Closed, LogLevel.Information, "Closed {EndPoint}", EventName = "Closed")]
    public static partial void Closed(ILogger logger, string endPoint);

    [LoggerMessage(EventIds.ShutdownSignal, LogLevel.Information, "Shutdown signal received; closing gracefully (send it again to stop at once)", EventName = "ShutdownSignal")]
    public static partial void ShutdownSignal(ILogger logger);

    [LoggerMessage(EventIds.HandlerFailed, LogLevel.Error, "The request handler threw for {Method} {Path}; answered 500 (or aborted the connection if the response had started)", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventIds.Http1Refused, LogLevel.Debug, "Refused an {Protocol} request from {RemoteAddress}: the client negotiated no ALPN protocol and the server serves h2 only (AllowHttp1 is off)", EventName = "Http1Refused")]
    public static partial void Http1Refused(ILogger logger, string remoteAddress, string protocol);

    [LoggerMessage(EventIds.BadRequest, LogLevel.Debug, "Rejected {Method} {Path} with status {StatusCode}: {Reason}", EventName = "BadRequest")]
    public static partial void BadRequest(ILogger logger, string method, string path, int statusCode, string reason);

    [LoggerMessage(EventIds.CertificateLoaded, LogLevel.Information, "Certificate {Subject} (thumbprint {Thumbprint}, expires {NotAfter:u}) with {IntermediateCount} intermediate(s) from {Source}", EventName = "CertificateLoaded")]
    public static partial void CertificateLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter, int intermediateCount, string source);

    [LoggerMessage(EventIds.CertificateWarning, LogLevel.Warning, "Certificate check: {Finding}", EventName = "CertificateWarning")]
    public static partial void CertificateWarning(ILogger logger, string finding);

    [LoggerMessage(EventIds.CertificateCheckOk, LogLevel.Debug, "Certificate check: {Finding}", EventName = "CertificateCheckOk")]
    public static partial void CertificateCheckOk(ILogger logger, string finding);

    [LoggerMessage(EventIds.CertificateError, LogLevel.Error, "Certificate check: {Finding}", EventName = "CertificateError")]
    public static partial void CertificateError(ILogger logger, string finding);

    [LoggerMessage(EventIds.CertificateReloaded, LogLevel.Information, "Certificate {Name} reloaded: serial {OldSerial} replaced by {NewSerial} ({Subject}, expires {NotAfter:u}) from {Source}; new handshakes use it", EventName = "CertificateReloaded")]
    public static partial void CertificateReloaded(ILogger logger, string name, string oldSerial, string newSerial, string subject, DateTime notAfter, string source);

    [LoggerMessage(EventIds.CertificateReloadRejected, LogLevel.Error, "Certificate {Name} reload rejected; still serving serial {Serial}: {Finding}", EventName = "CertificateReloadRejected")]
    public static partial void CertificateReloadRejected(ILogger logger, string name, string serial, string finding);

    [LoggerMessage(EventIds.CertificateReloadUnchanged, LogLevel.Debug, "Certificate {Name} unchanged (serial {Serial})", EventName = "CertificateReloadUnchanged")]
    public static partial void CertificateReloadUnchanged(ILogger logger, string name, string serial);

    [LoggerMessage(EventIds.CertificateReloadWaiting, LogLevel.Debug, "Certificate {Name}: files not complete yet, reading again: {Finding}", EventName = "CertificateReloadWaiting")]
    public static partial void CertificateReloadWaiting(ILogger logger, string name, string finding);

    [LoggerMessage(EventIds.CertificateWatchFailed, LogLevel.Warning, "Cannot watch {Directory} for certificate renewals ({Reason}); use SIGHUP or ReloadCertificatesAsync to reload", EventName = "CertificateWatchFailed")]
    public static partial void CertificateWatchFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(EventIds.TlsHandshakeRejected, LogLevel.Debug, "TLS handshake from {RemoteEndPoint} rejected: {Reason}", EventName = "TlsHandshakeRejected")]
    public static partial void TlsHandshakeRejected(ILogger logger, string remoteEndPoint, string reason);

    [LoggerMessage(EventIds.CertificateReloadFailed, LogLevel.Error, "Certificate reload failed unexpectedly; the current certificates keep serving", EventName = "CertificateReloadFailed")]
    public static partial void CertificateReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.Http2AbuseClosed, LogLevel.Warning, "Closed the HTTP/2 connection from {RemoteEndPoint} with GOAWAY(ENHANCE_YOUR_CALM): {Abuse}, {AbuseCount} such frames; {Frames} frames and {Resets} RST_STREAM in all", EventName = "Http2AbuseClosed")]
    public static partial void Http2AbuseClosed(ILogger logger, string remoteEndPoint, string abuse, long abuseCount, long frames, long resets);

    [LoggerMessage(EventIds.Http2AbuseSummary, LogLevel.Warning, "Closed {Count} more abusive HTTP/2 connections with GOAWAY(ENHANCE_YOUR_CALM) in the last {Interval} without a line each: rapid reset {RapidReset}, CONTINUATION flood {Continuation}, empty frame flood {EmptyFrames}, SETTINGS/PING flood {ControlFrames}", EventName = "Http2AbuseSummary")]
    public static partial void Http2AbuseSummary(ILogger logger, long count, TimeSpan interval, long rapidReset, long continuation, long emptyFrames, long controlFrames);

    [LoggerMessage(EventIds.Http2GracefulGoAway, LogLevel.Debug, "Sent GOAWAY (last stream id 2147483647) to {Count} HTTP/2 connection(s); serving their streams in flight for {GracePeriod} before closing", EventName = "Http2GracefulGoAway")]
    public static partial void Http2GracefulGoAway(ILogger logger, int count, TimeSpan gracePeriod);
}
