namespace Roost.Testing;

/// <summary>The four ways the façade serves, for theories that must hold on each.</summary>
public enum TestProtocol
{
    /// <summary><c>Http.CreateServer</c>: cleartext HTTP/1.1.</summary>
    Http11,

    /// <summary><c>Http2.CreateServer</c>: cleartext HTTP/2 with prior knowledge.</summary>
    H2c,

    /// <summary><c>Https.CreateServer</c>: HTTP/1.1 over TLS.</summary>
    Http11Tls,

    /// <summary><c>Http2.CreateSecureServer</c>: HTTP/2 over TLS (ALPN h2).</summary>
    H2Tls,
}
