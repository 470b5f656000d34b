namespace Roost;

/// <summary>
/// Event id ranges, never reused: 1000–1099 server lifecycle, 1100–1199 TLS and certificates, 2000–2099 primary and
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
    public const int Http1Refused = 1101;
}
