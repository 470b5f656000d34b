using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Roost.Cli.Commands;

namespace Roost.Cli.Files;

/// <summary>
/// <c>roost serve --root DIR</c>: the files of a folder, served by ASP.NET Core's own static-file middlewares over the
/// façade's request context (ETag, Last-Modified, If-None-Match / If-Modified-Since → 304, single byte ranges → 206,
/// HEAD, content types). Per request:
/// <list type="number">
/// <item><see cref="DefaultFilesMiddleware"/>: a folder with an <c>index.html</c> is served as that file
/// (<c>/docs</c> first redirects to <c>/docs/</c> with 301, as nginx does).</item>
/// <item><see cref="StaticFileMiddleware"/>: GET and HEAD of a file under the root (<see cref="RootedFileProvider"/>
/// decides what is under it).</item>
/// <item>Anything else: 405 for other methods, 404 otherwise. Folders are never listed.</item>
/// </list>
/// </summary>
internal sealed class StaticSite
{
    /// <summary>The content type of files whose extension has no known type (nginx's <c>default_type</c>).</summary>
    public const string UnknownContentType = "application/octet-stream";

    private static readonly byte[] MethodNotAllowedBody = "Method not allowed: only GET and HEAD are served from --root.\n"u8.ToArray();

    private readonly RequestDelegate _pipeline;

    /// <param name="root">The served folder as <see cref="TryResolveRoot"/> returned it (full, links resolved).</param>
    /// <param name="loggerFactory">Logs of the middlewares (requests at Debug).</param>
    public StaticSite(string root, ILoggerFactory loggerFactory)
    {
        Root = root;
        var files = new RootedFileProvider(root);
        var environment = new StaticSiteEnvironment(root, files);
        var staticFiles = new StaticFileMiddleware(NotFoundAsync, environment, Options.Create(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = CreateContentTypes(),

            // Like nginx (default_type application/octet-stream) and http-server: a file in the folder is served
            // whatever its name; ASP.NET Core's default (404 for unknown extensions) surprises users of a file server.
            ServeUnknownFileTypes = true,
            DefaultContentType = UnknownContentType,
        }), loggerFactory);
        var defaultFiles = new DefaultFilesMiddleware(staticFiles.Invoke, environment, Options.Create(new DefaultFilesOptions
        {
            FileProvider = files,
            DefaultFileNames = ["index.html"],
        }));
        _pipeline = defaultFiles.Invoke;
    }

    /// <summary>Gets the served folder (full path, links resolved).</summary>
    public string Root { get; }

    /// <summary>
    /// Checks <c>--root</c> once, in the primary before any worker starts (and again in each worker): it must be an
    /// existing, readable folder.
    /// </summary>
    /// <param name="given">The path as the user gave it (relative to the working directory).</param>
    /// <param name="root">The full path with links resolved, when valid.</param>
    /// <param name="error">The message naming the option and the path as given, when not.</param>
    /// <returns><see langword="true"/> when the folder can be served.</returns>
    public static bool TryResolveRoot(string given, out string root, out string error)
    {
        root = string.Empty;
        error = string.Empty;
        var full = Path.GetFullPath(given);
        if (!Directory.Exists(full))
        {
            error = File.Exists(full) ? ServeErrorMessages.RootNotADirectory(given) : ServeErrorMessages.RootMissing(given);
            return false;
        }

        try
        {
            // Listing one entry proves read permission (the middlewares need search permission too, which a folder
            // that can be read but not searched is rare enough not to check).
            using var entries = Directory.EnumerateFileSystemEntries(full).GetEnumerator();
            entries.MoveNext();
        }
        catch (UnauthorizedAccessException)
        {
            error = ServeErrorMessages.RootUnreadable(given, "permission denied.");
            return false;
        }
        catch (IOException ex)
        {
            error = ServeErrorMessages.RootUnreadable(given, ex.Message);
            return false;
        }

        root = RootedFileProvider.ResolveLinks(full) ?? full;
        return true;
    }

    /// <summary>The façade handler: runs the middlewares on the request's context, then ends the response.</summary>
    public async Task HandleAsync(IncomingRequest request, OutgoingResponse response)
    {
        if (RequestBodies.MayHaveBody(request))
        {
            // No file request needs a body: thrown away first, so one over --max-body-size gets 413 (RequestBodies).
            await RequestBodies.DiscardAsync(request).ConfigureAwait(false);
        }

        await _pipeline(request.Context).ConfigureAwait(false);

        // The middlewares wrote (or only set headers for 304, HEAD, redirects) on the context; End adds nothing to a
        // started response, and Content-Length: 0 only to one that has neither a length nor a no-body status.
        response.End();
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            response.ContentType = "text/plain; charset=utf-8";
            response.ContentLength = MethodNotAllowedBody.Length;
            return response.Body.WriteAsync(MethodNotAllowedBody, context.RequestAborted).AsTask();
        }

        var body = System.Text.Encoding.UTF8.GetBytes($"Not found: {context.Request.Path.Value}\n");
        response.StatusCode = StatusCodes.Status404NotFound;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// ASP.NET Core's extension table, with <c>; charset=utf-8</c> on text types (text/*, JSON, JavaScript), as Caddy,
    /// <c>serve</c> and http-server send them: files are taken to be UTF-8.
    /// </summary>
    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var types = new FileExtensionContentTypeProvider();
        foreach (var (extension, type) in types.Mappings.ToList())
        {
            if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("json", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal))
            {
                types.Mappings[extension] = type + "; charset=utf-8";
            }
        }

        return types;
    }
}
