using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Roost.Internal.Admin;

/// <summary>
/// The admin listener's gate: with a token, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>
/// (compared in constant time); otherwise 401 with <c>WWW-Authenticate: Bearer</c> and nothing else. Without a token
/// (loopback only, checked at start) every request passes.
/// </summary>
internal sealed class AdminAuthorization
{
    private readonly byte[]? _token;

    public AdminAuthorization(string? token) => _token = token is null ? null : Encoding.UTF8.GetBytes(token);

    /// <summary>Gets a value indicating whether requests need the token.</summary>
    public bool TokenRequired => _token is not null;

    /// <summary>The middleware in front of every admin route.</summary>
    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        var authorization = context.RequestServices.GetRequiredService<AdminAuthorization>();
        if (authorization.IsAuthorized(context))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"roost-admin\"";
        return Task.CompletedTask;
    }

    /// <summary>Whether the request carries the token (or none is needed).</summary>
    public bool IsAuthorized(HttpContext context)
    {
        if (_token is null)
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(header.AsSpan(Scheme.Length).Trim().ToString());
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }
}
