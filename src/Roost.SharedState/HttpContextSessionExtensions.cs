using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Roost.SharedState.Internal;

namespace Roost.SharedState;

/// <summary>Session helpers for ASP.NET Core apps that use <c>AddSession</c> on the shared store.</summary>
public static class HttpContextSessionExtensions
{
    /// <summary>
    /// Loads the session from the shared store, or throws <see cref="SharedStateUnavailableException"/> (answered
    /// 503 by the shared-state middleware) when the store did not answer. ASP.NET Core's own session swallows load
    /// failures and hands out an empty, unsaved session instead, which would silently reset counters and carts.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The loaded session.</returns>
    /// <exception cref="InvalidOperationException"><c>UseSession</c> is not in the pipeline.</exception>
    /// <exception cref="SharedStateUnavailableException">The store is unreachable.</exception>
    public static async Task<ISession> LoadSessionAsync(this HttpContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = context.Session;
        await session.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (!session.IsAvailable)
        {
            var store = context.RequestServices.GetService<SharedStore>();
            throw store?.Unavailable(null) ?? new SharedStateUnavailableException(ErrorMessages.SessionNotLoaded("the registered IDistributedCache"), null);
        }

        return session;
    }
}
