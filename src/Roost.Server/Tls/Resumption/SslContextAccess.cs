using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Roost.Tls.Resumption;

/// <summary>
/// Reaches the OpenSSL context (<c>SSL_CTX</c>) behind a server <see cref="SslStream"/> on Linux and sets what .NET
/// gives no API for: the instance's ticket keys, a session id context that is the same in every worker, the session
/// lifetime, the TLS 1.2 cipher list and <c>SSL_MODE_RELEASE_BUFFERS</c>.
/// </summary>
/// <remarks>
/// What Roost relies on (.NET 10 on Linux; docs/tls.md, "Session resumption", tells the risk):
/// <list type="number">
/// <item><c>SslStream._securityContext</c> holds a <c>SafeSslHandle</c> whose handle is the connection's <c>SSL*</c>.</item>
/// <item>.NET keeps one <c>SSL_CTX</c> per server certificate context, protocols and ALPN use (its <c>s_sslContexts</c>
/// cache) when no <c>CipherSuitesPolicy</c> is set, with the session cache on (<c>SSL_SESS_CACHE_BOTH</c>); a context
/// still used by a live <c>SslStream</c> is never evicted (<see cref="SslContextPin"/> keeps one alive).</item>
/// <item>.NET's native shim loaded <c>libssl.so.3</c>, the library <see cref="LibSsl"/> binds to.</item>
/// </list>
/// Each is checked; when one does not hold, nothing is touched and the caller logs one warning and serves as before.
/// </remarks>
internal static class SslContextAccess
{
    // SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_CLIENT: what .NET sets on the contexts it caches (CryptoNative_SslCtxSetCaching).
    private const long SessionCacheBoth = 3;

    private static readonly FieldInfo? SecurityContextField =
        typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly Lazy<string?> LibraryProblem = new(FindLibraryProblem);

    /// <summary>The <c>SSL_CTX*</c> behind an authenticated server stream, or a reason why it cannot be reached.</summary>
    public static nint GetContext(SslStream stream, out string? problem)
    {
        if (!OperatingSystem.IsLinux())
        {
            problem = "this is not Linux (SslStream uses OpenSSL only there).";
            return 0;
        }

        if (SecurityContextField is null)
        {
            problem = "SslStream has no '_securityContext' field.";
            return 0;
        }

        if (SecurityContextField.GetValue(stream) is not SafeHandle handle || handle.GetType().Name != "SafeSslHandle" || handle.IsInvalid)
        {
            problem = "SslStream's '_securityContext' is not an OpenSSL handle (SafeSslHandle).";
            return 0;
        }

        // Checked only now: .NET has loaded its libssl for the handshake that just happened.
        if (LibraryProblem.Value is { } libraryProblem)
        {
            problem = libraryProblem;
            return 0;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var context = LibSsl.SslGetSslCtx(handle.DangerousGetHandle());
            if (context == 0)
            {
                problem = "SSL_get_SSL_CTX returned no context.";
                return 0;
            }

            // .NET turns the session cache on only for the contexts it keeps; anything else means the context is not
            // the cached one and settings made on it would be lost with the next handshake.
            if ((long)LibSsl.SslCtxCtrl(context, LibSsl.CtrlGetSessCacheMode, 0, 0) != SessionCacheBoth)
            {
                problem = "the OpenSSL context has no session cache (it is not the one .NET keeps per certificate).";
                return 0;
            }

            problem = null;
            return context;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Sets Roost's session settings on a context .NET keeps; false with a reason if OpenSSL refused one.</summary>
    /// <param name="context">The <c>SSL_CTX*</c>.</param>
    /// <param name="sessionIdContext">Up to 32 bytes, the same in every worker for one certificate (OpenSSL resumes only sessions of the same id context).</param>
    /// <param name="tls12Ciphers">The TLS 1.2 cipher list (OpenSSL names), or <see langword="null"/> to leave it.</param>
    /// <param name="tickets">Whether tickets are issued (with the instance's keys); otherwise sessions stay in this process's cache.</param>
    /// <param name="sessionLifetime">How long a session can be resumed.</param>
    /// <param name="problem">Why a setting failed.</param>
    public static unsafe bool Configure(nint context, ReadOnlySpan<byte> sessionIdContext, string? tls12Ciphers, bool tickets, TimeSpan sessionLifetime, out string? problem)
    {
        if (tls12Ciphers is not null && LibSsl.SslCtxSetCipherList(context, tls12Ciphers) != 1)
        {
            problem = $"OpenSSL refused the TLS 1.2 cipher list '{tls12Ciphers}'.";
            return false;
        }

        fixed (byte* id = sessionIdContext)
        {
            if (LibSsl.SslCtxSetSessionIdContext(context, id, (uint)sessionIdContext.Length) != 1)
            {
                problem = "OpenSSL refused the session id context.";
                return false;
            }
        }

        _ = LibSsl.SslCtxSetTimeout(context, (nint)Math.Max(1, sessionLifetime.TotalSeconds));
        if (tickets)
        {
            if (LibSsl.SslCtxSetTicketKeyEvpCallback(context, SessionTicketKeys.Callback) != 1)
            {
                problem = "OpenSSL refused the ticket key callback.";
                return false;
            }

            _ = LibSsl.SslCtxClearOptions(context, LibSsl.OpNoTicket);
        }
        else
        {
            _ = LibSsl.SslCtxSetOptions(context, LibSsl.OpNoTicket);
        }

        // Frees OpenSSL's per-connection read and write buffers while a connection is idle (issue 13, item 4).
        // ROOST_TLS_RELEASE_BUFFERS=0 leaves them, for the before/after measurement (benchmarks/abuse/memory.sh).
        if (Environment.GetEnvironmentVariable("ROOST_TLS_RELEASE_BUFFERS") != "0")
        {
            _ = LibSsl.SslCtxCtrl(context, LibSsl.CtrlMode, (nint)LibSsl.ModeReleaseBuffers, 0);
        }
        problem = null;
        return true;
    }

    private static string? FindLibraryProblem()
    {
        // Two different libssl in one process would make an SSL_CTX* from one meaningless to the other.
        string[] maps;
        try
        {
            maps = File.ReadAllLines("/proc/self/maps");
        }
        catch (IOException ex)
        {
            return $"/proc/self/maps cannot be read ({ex.Message}).";
        }

        var libraries = maps.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libssl.so", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f[5]))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return libraries is ["libssl.so.3"]
            ? null
            : $"the process has loaded {(libraries.Count == 0 ? "no libssl" : string.Join(", ", libraries))}, not exactly libssl.so.3.";
    }
}
