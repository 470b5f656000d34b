namespace Roost;

/// <summary>
/// Event id ranges, never reused: 1000–1099 server lifecycle, 1100–1199 TLS and certificates, 1200–1299 HTTP/2 connection guard, 2000–2099 primary and
/// supervisor, 2100–2199 worker runtime, 2200–2299 IPC, 3000–3099 CLI.
/// </summary>
internal static class EventIds
{
    public const int Listening = 1000;
    public const int Closing = 1001;
    public const int Closed = 1002;
    public const int ShutdownSignal = 1003;
    public const int HandlerFailed = 1010;
    public const int BadRequest = 1011;
    public const int CertificateLoaded = 1100;
    public const int CertificateWarning = 1101;
    public const int CertificateCheckOk = 1102;
    public const int CertificateError = 1103;
    public const int CertificateReloaded = 1104;
    public const int CertificateReloadRejected = 1105;
    public const int CertificateReloadUnchanged = 1106;
    public const int CertificateReloadWaiting = 1107;
    public const int CertificateWatchFailed = 1108;
    public const int CertificateReloadFailed = 1109;
    public const int TlsHandshakeRejected = 1110;
    public const int OcspStaplingDisabled = 1111;
    public const int Http1Refused = 1112;
    public const int SessionResumptionUnavailable = 1150;
    public const int SessionResumptionReady = 1151;
    public const int SessionTicketKeysRotated = 1152;
    public const int Http2AbuseClosed = 1200;
    public const int Http2AbuseSummary = 1201;
    public const int Http2GracefulGoAway = 1202;
}
