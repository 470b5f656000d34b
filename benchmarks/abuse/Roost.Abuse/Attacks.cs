namespace Roost.Abuse;

/// <summary>Every attack of the suite, in report order.</summary>
public static class Attacks
{
    public static readonly IReadOnlyList<Attack> All =
    [
        Http1Attacks.Slowloris,
        Http1Attacks.SlowBody,
        Http2Attacks.RapidReset,
        Http2Attacks.ContinuationSmall,
        Http2Attacks.ContinuationEmpty,
        Http2Attacks.SettingsFlood,
        Http2Attacks.PingFlood,
        Http2Attacks.HpackBomb,
        Http1Attacks.OversizedHeaders,
        Http2Attacks.OversizedHeaders,
        Http1Attacks.LargeBody,
        Http2Attacks.LargeBody,
        Http1Attacks.Malformed,
        TlsAttacks.IdleH1,
        TlsAttacks.IdleH2,
        TlsAttacks.HalfHandshake,
        TlsAttacks.Garbage,
    ];

    public static Attack? Find(string name) => All.FirstOrDefault(a => a.Name == name);
}
