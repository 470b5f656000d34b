using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Roost.StartupHook.Internal;

/// <summary>
/// Roost's TLS for the app's Kestrel: the certificate files the primary checked, loaded by the façade's server (never
/// listening; it is only the handshake callback): chain sent from one <c>SslStreamCertificateContext</c>, SNI,
/// policy, client certificates, OCSP stapling — exactly what <c>roost serve</c> serves.
/// </summary>
internal sealed class RunTls : IAsyncDisposable
{
    private readonly HttpServer _certificates;

    public RunTls(RunWorkerConfig config, ILoggerFactory loggers)
    {
        var options = config.ToServerOptions();
        options.LoggerFactory = loggers;
        _certificates = Http2.CreateSecureServer(options, static (_, response) => response.End());

        if (config.RenewedByAcme)
        {
            // The managed certificate of --domain is renewed in place; this server never listens, so its watcher starts here.
            _certificates.StartCertificateWatch();
        }
    }

    /// <summary>Gets the HTTP/2 connection guard for the app's Kestrel (floods end with GOAWAY; two-step GOAWAY on drain).</summary>
    public Roost.Server.Internal.Http2Guard.Http2ConnectionGuard Http2Guard => _certificates.Http2Guard;

    /// <summary>The connection middleware that reads the ClientHello before the handshake (<see cref="Roost.Server.Internal.ClientHelloPeek"/>), as the façade's server installs it.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> ClientHelloPeek(TimeSpan handshakeTimeout) =>
        Roost.Server.Internal.ClientHelloPeek.Middleware(handshakeTimeout, _certificates.SplitsTls13, _certificates.Logger);

    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context) => _certificates.OnTlsHandshake(context);

    public ValueTask DisposeAsync() => _certificates.DisposeAsync();
}
