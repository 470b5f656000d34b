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
}
