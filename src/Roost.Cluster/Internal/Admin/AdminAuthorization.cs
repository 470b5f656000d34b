using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Roost.Clustering.Internal.Admin;

/// <summary>
/// The admin listener's gate (docs/metrics.md, "Admin listener security"):
/// <list type="number">
/// <item>Without a token (loopback only, checked at start) the <c>Host</c> header must name an IP address or
/// <c>localhost</c>: a page on another site that rebinds its DNS name to 127.0.0.1 is refused (403).</item>
/// <item>With a token, a request passes with <c>Authorization: Bearer &lt;token&gt;</c> (scrapers, scripts) or with the
/// session cookie the login form sets (browsers: <c>EventSource</c> cannot send a header); otherwise 401 — the page
/// answers 401 with the login form.</item>
/// <item>The session cookie holds a random session id, never the token: HttpOnly, SameSite=Strict, Secure when the
/// request came over HTTPS. Sessions live <see cref="SessionLifetime"/> and at most <see cref="MaxSessions"/> are kept.</item>
/// <item>State-changing requests (the dashboard's actions, logout) need a session and its anti-CSRF token in
/// <see cref="CsrfHeader"/>: HMAC-SHA256 of the session id under a key made at start, compared in constant time; an
/// <c>Origin</c> header, when sent, must be this listener's own.</item>
/// </list>
/// Every token and MAC comparison is constant-time (<see cref="CryptographicOperations.FixedTimeEquals"/>).
/// </summary>
internal sealed class AdminAuthorization
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "roost_admin";

    /// <summary>The request header that carries the anti-CSRF token.</summary>
    public const string CsrfHeader = "X-Roost-Csrf";

    /// <summary>How many sessions are kept; the oldest is dropped past it (each is 43 characters and a time).</summary>
    public const int MaxSessions = 256;

    /// <summary>How long a session is valid after it was made: a working day, as Grafana's default login does.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    private readonly byte[]? _token;
    private readonly byte[] _csrfKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public AdminAuthorization(string? token, TimeProvider? time = null)
    {
        _token = token is null ? null : Encoding.UTF8.GetBytes(token);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Gets a value indicating whether requests need the token (or a session made with it).</summary>
    public bool TokenRequired => _token is not null;

    /// <summary>The middleware in front of every admin route except the login form.</summary>
    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        var authorization = context.RequestServices.GetRequiredService<AdminAuthorization>();
        if (!authorization.IsHostAllowed(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(ClusterErrorMessages.AdminHostRefused(context.Request.Host.Value ?? string.Empty) + "\n");
        }

        if (IsLoginPath(context) || authorization.IsAuthorized(context))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"roost-admin\"";
        return HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/"
            ? DashboardEndpoints.WriteLoginAsync(context, error: null)
            : Task.CompletedTask;
    }

    /// <summary>Whether the request carries the token, a live session, or none is needed.</summary>
    public bool IsAuthorized(HttpContext context) => _token is null || HasBearerToken(context) || SessionOf(context) is not null;

    /// <summary>Whether the request's <c>Authorization</c> header carries the token.</summary>
    public bool HasBearerToken(HttpContext context)
    {
        if (_token is null)
        {
            return false;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && Matches(header.AsSpan(Scheme.Length).Trim().ToString());
    }

    /// <summary>Whether <paramref name="given"/> is the token (constant time).</summary>
    public bool Matches(string given) =>
        _token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _token);

    /// <summary>Returns the request's session id when its cookie names a live session; otherwise <see langword="null"/>.</summary>
    public string? SessionOf(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var id) || id is not { Length: > 0 } || !_sessions.TryGetValue(id, out var expires))
        {
            return null;
        }

        if (expires > _time.GetUtcNow())
        {
            return id;
        }

        _sessions.TryRemove(id, out _);
        return null;
    }

    /// <summary>Makes a session and sets its cookie on the response.</summary>
    public string StartSession(HttpContext context)
    {
        var now = _time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var (old, _) in _sessions.OrderBy(s => s.Value).Take(_sessions.Count - MaxSessions + 1))
            {
                _sessions.TryRemove(old, out _);
            }
        }

        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        _sessions[id] = now + SessionLifetime;
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = SessionLifetime,
        });
        return id;
    }

    /// <summary>Ends the request's session and expires its cookie.</summary>
    public void EndSession(HttpContext context)
    {
        if (SessionOf(context) is { } id)
        {
            _sessions.TryRemove(id, out _);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }

    /// <summary>The anti-CSRF token of a session: what the page sends back in <see cref="CsrfHeader"/>.</summary>
    public string CsrfTokenFor(string session) => Base64Url(HMACSHA256.HashData(_csrfKey, Encoding.UTF8.GetBytes(session)));

    /// <summary>Checks a state-changing request: a live session, its anti-CSRF token, and a same-origin <c>Origin</c> when one is sent.</summary>
    /// <returns><see langword="null"/> when it passes; otherwise why not (for the 403 body).</returns>
    public string? CheckCsrf(HttpContext context)
    {
        if (!IsSameOrigin(context))
        {
            return ClusterErrorMessages.AdminCrossOrigin(context.Request.Headers.Origin.ToString());
        }

        if (SessionOf(context) is not { } session)
        {
            return ClusterErrorMessages.AdminNoSession();
        }

        var given = context.Request.Headers[CsrfHeader].ToString();
        var expected = CsrfTokenFor(session);
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected))
            ? null
            : ClusterErrorMessages.AdminCsrfMissing(CsrfHeader);
    }

    /// <summary>Whether the request's <c>Origin</c> (when sent) is this listener: the same scheme and host as the request.</summary>
    public static bool IsSameOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            // Browsers send Origin on every POST (fetch and forms); a client without one (curl) is not a browser a
            // page could have driven.
            return true;
        }

        var own = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsLoginPath(HttpContext context) => context.Request.Path == "/login";

    private bool IsHostAllowed(HttpContext context)
    {
        if (_token is not null)
        {
            return true;
        }

        // Without a token only loopback clients reach the listener; DNS rebinding is the way a remote page would
        // reach it through the operator's browser, and it always names the attacker's host.
        var host = context.Request.Host.Host;
        return host.Length == 0 || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host.Trim('[', ']'), out _);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
