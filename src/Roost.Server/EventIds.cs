namespace Roost;

/// <summary>
/// Event id ranges, never reused: 1000–1099 server lifecycle, 1100–1199 TLS and certificates, 1200–1299 HTTP/2 connection guard, 1300–1399 automatic certificates (ACME), 2000–2099 primary and
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
    public const int AcmeOrderPlaced = 1300;
    public const int AcmeNameValidated = 1301;
    public const int AcmeCertificateInstalled = 1302;
    public const int AcmeAttemptFailed = 1303;
    public const int AcmeNoCertificateYet = 1304;
    public const int AcmeAccountCreated = 1305;
    public const int AcmeRenewalScheduled = 1306;
    public const int AcmeHttp01Answered = 1307;
    public const int AcmeHttp01AcceptFailed = 1308;
    public const int AcmeHttp01Listening = 1309;
    public const int AcmeLoopFailed = 1310;
    public const int AcmeTlsAlpnListening = 1311;
    public const int AcmeTlsAlpnAnswered = 1312;
    public const int AcmeTlsAlpnRefused = 1313;
    public const int AcmeTlsAlpnAcceptFailed = 1314;
    public const int AcmeTlsAlpnUnavailable = 1315;
    public const int AcmeChallengeFallback = 1316;
    public const int AcmePlaceholderInstalled = 1317;
    public const int AcmeRenewalWindow = 1318;
    public const int AcmeRenewalInfoFailed = 1319;
}
