using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Roost.SharedState.Internal;

namespace Roost.SharedState;

/// <summary>Sessions for Node-style handlers: <c>var session = await req.GetSessionAsync();</c>.</summary>
public static class IncomingRequestSessionExtensions
{
    private const int IdBytes = 32;
    private static readonly object ItemKey = new();

    /// <summary>
    /// Gets this browser's session from the shared store, starting one (and sending its cookie) when the request
    /// carries no valid session cookie. Calling it again in the same request returns the same object.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the wait for the store.</param>
    /// <returns>The session.</returns>
    /// <exception cref="InvalidOperationException">The server was created without <c>options.UseSharedState()</c>.</exception>
    /// <exception cref="SharedStateUnavailableException">The store is unreachable; thrown out of the handler it is answered with 503.</exception>
    /// <remarks>
    /// The cookie holds a random 256-bit id (not a Data Protection payload: an unguessable id needs no signature, and
    /// it keeps the façade independent of the key ring). It is <c>HttpOnly</c>, <c>SameSite=Lax</c>, <c>Path=/</c>,
    /// and <c>Secure</c> on TLS connections; it is sent only if the response headers were not sent yet.
    /// </remarks>
    public static async Task<RoostSession> GetSessionAsync(this IncomingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        if (context.Items.TryGetValue(ItemKey, out var existing) && existing is RoostSession cached)
        {
            return cached;
        }

        var store = context.RequestServices.GetService<SharedStore>()
            ?? throw new InvalidOperationException(ErrorMessages.FacadeNotConfigured(request.Path));
        await store.WaitForFirstConnectAsync(cancellationToken).ConfigureAwait(false);
        var cookieName = store.Options.SessionCookieName;
        var id = context.Request.Cookies[cookieName];
        var isNew = !IsWellFormed(id);
        if (isNew)
        {
            id = NewId();
            if (!context.Response.HasStarted)
            {
                context.Response.Cookies.Append(cookieName, id, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Path = "/",
                    Secure = context.Request.IsHttps,
                });
            }
        }

        var session = await RoostSession.LoadAsync(id!, isNew, store, (request.Method, request.Path), cancellationToken).ConfigureAwait(false);
        context.Items[ItemKey] = session;
        return session;
    }

    private static string NewId()
    {
        Span<byte> bytes = stackalloc byte[IdBytes];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private static bool IsWellFormed(string? id)
    {
        Span<byte> bytes = stackalloc byte[IdBytes + 3];
        return id is { Length: 43 } && Base64Url.TryDecodeFromChars(id, bytes, out var written) && written == IdBytes;
    }
}
