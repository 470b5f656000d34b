using System.Net.Security;
using System.Security.Authentication;

namespace Roost.Tls.Resumption;

/// <summary>
/// Makes .NET create (or find) the <c>SSL_CTX</c> it keeps for one set of server options, by a handshake over an
/// in-memory stream, and keeps that handshake's server stream alive: while it lives, .NET's cache never evicts the
/// context (its rent count stays above zero), so the settings Roost makes on it hold for every later connection.
/// </summary>
internal sealed class SslContextPin : IDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly SslStream _server;

    private SslContextPin(SslStream server, nint context)
    {
        _server = server;
        Context = context;
    }

    /// <summary>Gets the <c>SSL_CTX*</c> (valid while the pin lives).</summary>
    public nint Context { get; }

    /// <summary>Pins the context of <paramref name="options"/>; <see langword="null"/> with a reason if it cannot be reached.</summary>
    public static async Task<(SslContextPin? Pin, string? Problem)> CreateAsync(SslServerAuthenticationOptions options, CancellationToken cancellationToken)
    {
        var (serverEnd, clientEnd) = MemoryDuplexStream.CreatePair();
        var server = new SslStream(serverEnd, leaveInnerStreamOpen: false);
        var client = new SslStream(clientEnd, leaveInnerStreamOpen: false, static (_, _, _, _) => true);
        var keep = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HandshakeTimeout);
            var clientOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "roost-session-setup.invalid",
                EnabledSslProtocols = options.EnabledSslProtocols == SslProtocols.None ? SslProtocols.None : options.EnabledSslProtocols,
                ApplicationProtocols = options.ApplicationProtocols,
                AllowTlsResume = false,
            };
            await Task.WhenAll(
                server.AuthenticateAsServerAsync(options, timeout.Token),
                client.AuthenticateAsClientAsync(clientOptions, timeout.Token)).ConfigureAwait(false);
            var context = SslContextAccess.GetContext(server, out var problem);
            if (context == 0)
            {
                return (null, problem);
            }

            keep = true;
            return (new SslContextPin(server, context), null);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            return (null, $"the setup handshake failed ({ex.Message}).");
        }
        finally
        {
            await client.DisposeAsync().ConfigureAwait(false);
            if (!keep)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _server.Dispose();
}
