namespace Roost.Abuse;

/// <summary>A server under attack: where it listens (TLS with ALPN h2 and http/1.1 on one port) and its processes.</summary>
/// <param name="Name">Short name for the report (roost, nginx, node…).</param>
/// <param name="Host">Address to connect to (loopback).</param>
/// <param name="Port">TCP port.</param>
/// <param name="RootPid">The process started for it; its descendants are found in /proc (0: none to sample).</param>
public sealed record Target(string Name, string Host, int Port, int RootPid = 0)
{
    /// <summary>The host name sent as SNI and :authority / Host.</summary>
    public string Authority { get; init; } = "localhost";
}
