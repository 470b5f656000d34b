using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Roost.Acme;
using Roost.Server.Internal;
using Roost.Server.Internal.Http2Guard;
using Roost.Tls;
using Roost.Tls.Resumption;

namespace Roost;

/// <summary>
/// A Node-style server over Kestrel, created by <see cref="Http.CreateServer(RequestHandler)"/>,
/// <see cref="Https.CreateServer(SecureServerOptions, RequestHandler)"/> or
/// <see cref="Http2.CreateSecureServer(SecureServerOptions, RequestHandler)"/>.
/// </summary>
/// <remarks>
/// <para>Lifetime: <see cref="Listen(int, Action?)"/> binds and starts accepting; while it listens, the process stays
/// alive (as in Node) unless <see cref="Unref"/> is called. <see cref="CloseAsync(CancellationToken)"/> stops
/// accepting, lets in-flight requests finish (HTTP/2 GOAWAY, <c>Connection: close</c> on HTTP/1.1) for up to
/// <see cref="ServerOptions.ShutdownTimeout"/>, then aborts what is left. SIGINT/SIGTERM do the same unless
/// <see cref="ServerOptions.HandleShutdownSignals"/> is off. Disposing closes the same way.</para>
/// </remarks>
public sealed partial class HttpServer : IAsyncDisposable
{
    private const string AnyAddress = "0.0.0.0";

    private readonly ServerOptions _options;
    private readonly HttpProtocols _protocols;
    private readonly RequestDispatcher _dispatcher;
    private readonly ILogger _logger;
    private CertificateStore? _store;
    private CertificateFileWatcher? _watcher;
    private readonly ClientCertificateValidator? _clientValidator;
    private readonly ClientCertificateMode _clientCertificateMode;
    private readonly CipherSuitesPolicy? _cipherSuites;
    private readonly SslProtocols _sslProtocols;
    private readonly bool _reloadOnHangup;
    private readonly List<SslApplicationProtocol> _alpn = [];
    private readonly Lock _gate = new();
    private readonly Http2ConnectionGuard _http2Guard;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KestrelHost? _host;
    private Task? _closeTask;
    private ProcessKeepAlive? _keepAlive;
    private bool _unref;

    internal HttpServer(ServerOptions options, HttpProtocols protocols, RequestHandler? handler, AsyncRequestHandler? asyncHandler)
    {
        // Every out-of-range setting at once, before anything is loaded or bound (docs/facade.md, "Options").
        options.Validate();
        _options = options;
        _protocols = protocols;
        // In a cluster worker the provider wraps the factory so every line names the worker (id, pid, generation).
        LoggerFactory = options.LoggerFactory is { } factory ? ListenHandles.Provider?.WrapLoggerFactory(factory) ?? factory : null;
        _logger = (LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Roost.Server");
        _http2Guard = new Http2ConnectionGuard(options.Http2, protocols, options is SecureServerOptions, _logger);
        _dispatcher = new RequestDispatcher(handler, asyncHandler, _logger, refuseHttp1: options is SecureServerOptions && protocols == HttpProtocols.Http2);
        if (options is SecureServerOptions secure)
        {
            // Load and check (and fail) now, before any socket is bound: bad TLS input never half-starts a server.
            _clientValidator = ClientCertificateValidator.Create(secure, _logger);
            _clientCertificateMode = secure.ClientCertificateMode;
            _sslProtocols = TlsPolicies.Protocols(secure.TlsPolicy);
            _cipherSuites = TlsPolicies.Create(secure.TlsPolicy);
            if (protocols.HasFlag(HttpProtocols.Http2))
            {
                _alpn.Add(SslApplicationProtocol.Http2);
            }

            if (protocols.HasFlag(HttpProtocols.Http1))
            {
                _alpn.Add(SslApplicationProtocol.Http11);
            }

            // Session resumption across workers and for TLS 1.2 clients (docs/tls.md): set up per certificate before it
            // is served; until then (and if the runtime is not what Roost expects) handshakes are served as before.
            var resumption = OperatingSystem.IsLinux() ? new SessionResumption(secure, _sslProtocols, SplitsTls13, _alpn, _logger) : null;
            _prepareCertificate = resumption is null ? null : served => resumption.PrepareAsync(served, CancellationToken.None);
            _reloadOnHangup = secure.ReloadCertificatesOnHangup;
            _acme = secure.Acme;
            if (_acme is null)
            {
                CreateStore(secure, managed: null);
            }

            // With Acme the certificate is obtained when the server starts listening (HttpServer.Acme.cs).
        }
    }

    /// <summary>Gets the logger factory the server and its Kestrel host log to (the options' one, in a worker wrapped to name the worker).</summary>
    internal ILoggerFactory? LoggerFactory { get; }

    /// <summary>Gets the end point the server listens on (with the real port when 0 was asked for), or <see langword="null"/>.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Gets the port the server listens on, or 0 when it does not listen.</summary>
    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>Gets a value indicating whether the server is accepting connections.</summary>
    public bool IsListening => LocalEndPoint is not null && _closeTask is null;

    /// <summary>Gets a value indicating whether the server uses TLS.</summary>
    public bool IsSecure => _options is SecureServerOptions;

    /// <summary>Gets the protocols served, e.g. <c>h2, http/1.1</c> or <c>h2c</c>.</summary>
    public string Protocols => (IsSecure, _protocols) switch
    {
        (true, HttpProtocols.Http1AndHttp2) => "h2, http/1.1",
        (true, HttpProtocols.Http2) => "h2",
        (true, _) => "http/1.1 over TLS",
        (false, HttpProtocols.Http2) => "h2c (prior knowledge)",
        _ => "http/1.1",
    };

    /// <summary>Gets the certificate currently served, or <see langword="null"/> for a cleartext server.</summary>
    /// <remarks>
    /// After a reload this is the new certificate; the previous bundle is disposed a while later. With
    /// <see cref="SecureServerOptions.Acme"/>, <see langword="null"/> until the server listens.
    /// </remarks>
    public CertificateBundle? Certificate => _store?.Default.Current.Bundle;

    /// <summary>Binds all IPv4 addresses on <paramref name="port"/> and starts accepting (Node's <c>server.listen</c>).</summary>
    /// <param name="port">The port, or 0 for any free port (then read <see cref="Port"/>).</param>
    /// <param name="onListening">Called once the server accepts connections.</param>
    /// <returns>This server.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not between 0 and 65535.</exception>
    /// <exception cref="ListenException">The port is in use, not allowed, or the address is not usable.</exception>
    /// <exception cref="CertificateLoadException">With <see cref="SecureServerOptions.Acme"/>: no certificate could be obtained (see <see cref="AcmeAttemptFailed"/>).</exception>
    public HttpServer Listen(int port, Action? onListening = null) => Listen(port, AnyAddress, onListening);

    /// <summary>Binds <paramref name="host"/>:<paramref name="port"/> and starts accepting.</summary>
    /// <param name="port">The port, or 0 for any free port.</param>
    /// <param name="host">An IP address (<c>0.0.0.0</c>, <c>::</c>, <c>127.0.0.1</c>…) or <c>localhost</c>.</param>
    /// <param name="onListening">Called once the server accepts connections.</param>
    /// <returns>This server.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not between 0 and 65535.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is not an address.</exception>
    /// <exception cref="ListenException">The port is in use, not allowed, or the address is not usable.</exception>
    /// <exception cref="CertificateLoadException">With <see cref="SecureServerOptions.Acme"/>: no certificate could be obtained (see <see cref="AcmeAttemptFailed"/>).</exception>
    public HttpServer Listen(int port, string host, Action? onListening = null)
    {
        // The Node-shaped synchronous sugar over ListenAsync (CONTRIBUTING.md §6.1): binding is quick and callers of
        // Listen(port, callback) expect the socket to be bound when it returns.
        ListenAsync(port, host).GetAwaiter().GetResult();
        onListening?.Invoke();
        return this;
    }

    /// <summary>Binds all IPv4 addresses on <paramref name="port"/> and starts accepting.</summary>
    /// <param name="port">The port, or 0 for any free port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once the socket is bound and accepting.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not between 0 and 65535.</exception>
    /// <exception cref="ListenException">The port is in use, not allowed, or the address is not usable.</exception>
    /// <exception cref="CertificateLoadException">With <see cref="SecureServerOptions.Acme"/>: no certificate could be obtained (see <see cref="AcmeAttemptFailed"/>).</exception>
    public Task ListenAsync(int port, CancellationToken cancellationToken = default) =>
        ListenAsync(port, AnyAddress, cancellationToken);

    /// <summary>Binds <paramref name="host"/>:<paramref name="port"/> and starts accepting.</summary>
    /// <param name="port">The port, or 0 for any free port.</param>
    /// <param name="host">An IP address or <c>localhost</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once the socket is bound and accepting.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not between 0 and 65535.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is not an address.</exception>
    /// <exception cref="ListenException">The port is in use, not allowed, or the address is not usable.</exception>
    /// <exception cref="CertificateLoadException">With <see cref="SecureServerOptions.Acme"/>: no certificate could be obtained (see <see cref="AcmeAttemptFailed"/>).</exception>
    public Task ListenAsync(int port, string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, ErrorMessages.PortOutOfRange(port));
        }

        IPAddress address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address!))
        {
            throw new ArgumentException(ErrorMessages.HostInvalid(host), nameof(host));
        }

        return ListenAsync(new IPEndPoint(address, port), cancellationToken);
    }

    /// <summary>Binds <paramref name="endPoint"/> and starts accepting.</summary>
    /// <param name="endPoint">The end point; port 0 picks a free port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once the socket is bound and accepting.</returns>
    /// <exception cref="ListenException">The port is in use, not allowed, or the address is not usable.</exception>
    /// <exception cref="CertificateLoadException">With <see cref="SecureServerOptions.Acme"/>: no certificate could be obtained (see <see cref="AcmeAttemptFailed"/>).</exception>
    /// <exception cref="InvalidOperationException">The server already listens, or was closed.</exception>
    public async Task ListenAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        lock (_gate)
        {
            if (_closeTask is not null)
            {
                throw new InvalidOperationException(ErrorMessages.ServerClosed());
            }

            if (_host is not null)
            {
                throw new InvalidOperationException(ErrorMessages.AlreadyListening(Describe(LocalEndPoint ?? endPoint)));
            }

            _host = new KestrelHost(this);
        }

        if (_acme is not null && _store is null)
        {
            try
            {
                await StartAcmeAsync(endPoint, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    _host = null;
                }

                throw;
            }
        }

        if (_store is not null)
        {
            // The session set-up of each certificate (in-memory handshakes, milliseconds) finishes before the first
            // client. It never fails the start: if it is slow, TLS 1.2 clients are served with the policy until it is done.
            var prepared = Task.WhenAll(_store.Entries.Select(e => e.Current.Prepared));
            await Task.WhenAny(prepared, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var provider = ListenHandles.Provider;
        try
        {
            LocalEndPoint = await _host.StartAsync(endPoint, provider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _host = null;
            }

            throw ListenErrors.Translate(ex, endPoint, Describe(endPoint), portHint: string.Empty);
        }

        Log.Listening(_logger, Describe(LocalEndPoint), Protocols);
        StartCertificateWatch();
        if (_options.HandleShutdownSignals)
        {
            ProcessSignals.Register(this);
        }

        lock (_gate)
        {
            if (!_unref)
            {
                _keepAlive = new ProcessKeepAlive($"roost-listen-{LocalEndPoint.Port}");
            }
        }

        provider?.OnListening(this, LocalEndPoint);
    }

    /// <summary>Lets the process exit even while this server listens (Node's <c>server.unref()</c>).</summary>
    /// <returns>This server.</returns>
    public HttpServer Unref()
    {
        lock (_gate)
        {
            _unref = true;
            _keepAlive?.Dispose();
            _keepAlive = null;
        }

        return this;
    }

    /// <summary>Keeps the process alive while this server listens again after <see cref="Unref"/> (Node's <c>server.ref()</c>).</summary>
    /// <returns>This server.</returns>
    public HttpServer Ref()
    {
        lock (_gate)
        {
            _unref = false;
            if (_keepAlive is null && _host is not null && _closeTask is null)
            {
                _keepAlive = new ProcessKeepAlive($"roost-listen-{Port}");
            }
        }

        return this;
    }

    internal static void LogFindings(ILogger logger, IEnumerable<CertificateFinding> findings)
    {
        foreach (var finding in findings)
        {
            switch (finding.Severity)
            {
                case CertificateFindingSeverity.Error:
                    Log.CertificateError(logger, finding.Message);
                    break;
                case CertificateFindingSeverity.Warning:
                    Log.CertificateWarning(logger, finding.Message);
                    break;
                default:
                    Log.CertificateCheckOk(logger, finding.Message);
                    break;
            }
        }
    }

    internal static string Describe(IPEndPoint endPoint) => EndPointText.Describe(endPoint);

    internal ServerOptions Options => _options;

    internal HttpProtocols HttpProtocols => _protocols;

    /// <summary>
    /// The protocols Kestrel runs on the socket. An h2-only TLS server offers only <c>h2</c> in ALPN (so a client that
    /// offers only <c>http/1.1</c> gets the <c>no_application_protocol</c> alert, as from Node), but Kestrel must
    /// still speak HTTP/1.1 to a client that negotiated no protocol at all, so that the dispatcher can answer it with
    /// 403 and an explanation, as Node does (<c>unknownProtocol</c>). With <c>Http2</c> alone Kestrel would read such a
    /// client's request as a broken HTTP/2 preface and close the connection without a word.
    /// </summary>
    internal HttpProtocols KestrelProtocols => IsSecure && _protocols == HttpProtocols.Http2 ? HttpProtocols.Http1AndHttp2 : _protocols;

    internal RequestDispatcher Dispatcher => _dispatcher;

    /// <summary>Gets the watcher of this server's HTTP/2 connections (floods, two-step GOAWAY on close).</summary>
    internal Http2ConnectionGuard Http2Guard => _http2Guard;

    /// <summary>Gets the server's own logger (category Roost.Server).</summary>
    internal ILogger Logger => _logger;

    /// <summary>
    /// Gets a value indicating whether TLS 1.3 clients get their own options without a cipher suite policy (when a
    /// policy is set and TLS 1.3 is allowed; see <see cref="ClientHelloPeek"/>).
    /// </summary>

    internal bool SplitsTls13 => _cipherSuites is not null && (_sslProtocols & SslProtocols.Tls13) != 0;

    private SslServerAuthenticationOptions AcmeTlsAlpnOptions(string? serverName, EndPoint? remote)
    {
        try
        {
            return TlsAlpnChallenges.OptionsFor(serverName);
        }
        catch (AuthenticationException ex)
        {
            Log.TlsHandshakeRejected(_logger, remote?.ToString() ?? "client", ex.Message);
            throw;
        }
    }

    internal ValueTask<SslServerAuthenticationOptions> OnTlsHandshake(Microsoft.AspNetCore.Server.Kestrel.Https.TlsHandshakeCallbackContext context)
    {
        // The hot path of every handshake: one dictionary lookup and a volatile read; loading happens in reloads only.
        var serverName = context.ClientHelloInfo.ServerName;
        if (context.Connection.Features.Get<AcmeTlsAlpnOffered>() is not null)
        {
            // An ACME CA validating TLS-ALPN-01 (ClientHelloPeek saw acme-tls/1 alone): the challenge certificate, or no handshake.
            return ValueTask.FromResult(AcmeTlsAlpnOptions(serverName, context.Connection.RemoteEndPoint));
        }

        var served = _store!.Select(serverName);
        if (served is null)
        {
            var reason = ErrorMessages.UnknownServerName(serverName);
            Log.TlsHandshakeRejected(_logger, context.Connection.RemoteEndPoint?.ToString() ?? "client", reason);
            throw new AuthenticationException(reason);
        }

        // A client that offers TLS 1.3 (ClientHelloPeek saw it) gets TLS 1.3 only and no CipherSuitesPolicy: the policy
        // narrows TLS 1.2 only (every TLS 1.3 suite is AEAD with forward secrecy), and without one .NET on Linux reuses
        // one OpenSSL context per certificate instead of building one per handshake — cheaper, and sessions resume.
        // Clients without TLS 1.3 get the policy's TLS 1.2 suites as before (docs/tls.md).
        // Once the certificate's kept OpenSSL contexts carry the policy's TLS 1.2 cipher list (SessionResumption), the
        // other clients need no policy either: they then use a kept context too, and their sessions resume.
        var tls13 = SplitsTls13 && context.Connection.Features.Get<Tls13Offered>() is not null;
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = served.Context,
            ApplicationProtocols = _alpn,
            EnabledSslProtocols = tls13 ? SslProtocols.Tls13 : _sslProtocols,
            CipherSuitesPolicy = tls13 || served.SharesSessions ? null : _cipherSuites,
            ClientCertificateRequired = _clientCertificateMode != ClientCertificateMode.Off,
            RemoteCertificateValidationCallback = _clientValidator is null ? null : _clientValidator.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });
    }
}
