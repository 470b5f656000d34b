using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Roost.Cli;

/// <summary>
/// The request bodies <c>roost serve</c>'s own handlers do not want (the built-in page, <c>/healthz</c>, <c>--root</c>
/// files): read and thrown away before answering, so that a body over <c>--max-body-size</c> sent without a
/// Content-Length (chunked, or h2 DATA frames) gets 413 before any other answer, as one with a Content-Length does (the
/// façade refuses that one before the handler runs). A body within the limit costs one read of at most the limit.
/// </summary>
internal static class RequestBodies
{
    /// <summary>Returns whether the request may carry a body that has not been read (h1: Content-Length or chunked; h2: no END_STREAM on HEADERS).</summary>
    public static bool MayHaveBody(IncomingRequest request) =>
        request.Context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    /// <summary>Reads the body to its end and discards it.</summary>
    /// <remarks>
    /// Kestrel's own limit is lifted for the request and the bytes are counted here instead: when Kestrel's limit trips,
    /// its body reader fails for good, and then the rest of the upload cannot be read and thrown away after the 413
    /// (the façade does that on HTTP/1.1, so the client reads the 413 instead of a reset).
    /// </remarks>
    /// <exception cref="BadHttpRequestException">The body is over the limit (status 413); the façade answers it with that status.</exception>
    public static async Task DiscardAsync(IncomingRequest request)
    {
        var context = request.Context;
        var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var limit = size?.MaxRequestBodySize;
        if (size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, request.Aborted).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    throw new BadHttpRequestException(ErrorMessages.RequestBodyOverLimit(limit.Value), StatusCodes.Status413PayloadTooLarge);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
