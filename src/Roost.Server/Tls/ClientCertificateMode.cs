namespace Roost.Tls;

/// <summary>Whether a TLS server asks clients for a certificate (mutual TLS).</summary>
public enum ClientCertificateMode
{
    /// <summary>No client certificate is asked for (the default).</summary>
    Off,

    /// <summary>
    /// A certificate is asked for but not required: clients without one connect (and the handler sees
    /// <see cref="IncomingRequest.ClientCertificate"/> = <see langword="null"/>); a certificate that is sent must be valid.
    /// </summary>
    Allow,

    /// <summary>Clients must send a valid certificate; the handshake of a client without one fails.</summary>
    Require,
}

/// <summary>What a TLS server does when a client asks (by SNI) for a host name no certificate is configured for.</summary>
public enum UnknownServerNameAction
{
    /// <summary>Serve the default certificate (the client then usually reports a name mismatch). The default.</summary>
    UseDefault,

    /// <summary>Refuse the handshake.</summary>
    Refuse,
}
