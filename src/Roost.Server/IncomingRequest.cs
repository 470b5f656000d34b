using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Roost.Server.Internal;

namespace Roost;

/// <summary>
/// The request a handler receives: Node's <c>http.IncomingMessage</c>, over Kestrel's <see cref="HttpContext"/>.
/// </summary>
/// <remarks>Valid only until the response ends; do not keep it after that.</remarks>
public sealed class IncomingRequest
{
    private readonly HttpContext _context;

    internal IncomingRequest(HttpContext context) => _context = context;

    /// <summary>Gets the request method, e.g. <c>GET</c>.</summary>
    public string Method => _context.Request.Method;

    /// <summary>Gets the request target as the client sent it: path and query, e.g. <c>/search?q=1</c> (Node's <c>req.url</c>).</summary>
    public string Url => _context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;

    /// <summary>Gets the decoded path, e.g. <c>/search</c>.</summary>
    public string Path => _context.Request.Path.Value ?? "/";

    /// <summary>Gets the raw query string including the leading <c>?</c>, or an empty string.</summary>
    public string QueryString => _context.Request.QueryString.Value ?? string.Empty;

    /// <summary>Gets the parsed query parameters.</summary>
    public IQueryCollection Query => _context.Request.Query;

    /// <summary>Gets the request headers (case-insensitive names).</summary>
    public IHeaderDictionary Headers => _context.Request.Headers;

    /// <summary>Gets the HTTP version as Node's <c>req.httpVersion</c> spells it: <c>"1.0"</c>, <c>"1.1"</c> or <c>"2.0"</c>.</summary>
    public string HttpVersion => _context.Request.Protocol switch
    {
        // Node's http2 compatibility API reports "2.0" (major.minor, like "1.1"); so does Roost.
        "HTTP/2" => "2.0",
        "HTTP/1.1" => "1.1",
        "HTTP/1.0" => "1.0",
        "HTTP/3" => "3.0",
        var other => other.StartsWith("HTTP/", StringComparison.Ordinal) ? other[5..] : other,
    };

    /// <summary>Gets a value indicating whether the connection is encrypted with TLS.</summary>
    public bool IsSecure => _context.Request.IsHttps;

    /// <summary>Gets the client's address, e.g. <c>127.0.0.1</c> (IPv4-mapped IPv6 addresses are shown as IPv4).</summary>
    public string? RemoteAddress => _context.Connection.RemoteIpAddress is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : null;

    /// <summary>Gets the client's port.</summary>
    public int RemotePort => _context.Connection.RemotePort;

    /// <summary>Gets the local end point the request arrived on.</summary>
    public IPEndPoint? LocalEndPoint => _context.Connection.LocalIpAddress is { } address
        ? new IPEndPoint(address, _context.Connection.LocalPort)
        : null;

    /// <summary>Gets the client certificate, when the client sent one.</summary>
    public X509Certificate2? ClientCertificate => _context.Connection.ClientCertificate;

    /// <summary>Gets the request body as a stream. Read it asynchronously.</summary>
    public Stream Body => _context.Request.Body;

    /// <summary>Gets a token that is cancelled when the client goes away.</summary>
    public CancellationToken Aborted => _context.RequestAborted;

    /// <summary>Gets the underlying ASP.NET Core context, for everything the façade does not wrap.</summary>
    public HttpContext Context => _context;

    /// <summary>Gets one header's value, several values joined with <c>", "</c>, or <see langword="null"/>.</summary>
    /// <param name="name">The header name (case-insensitive).</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? GetHeader(string name) =>
        _context.Request.Headers.TryGetValue(name, out var values) ? HeaderValues.Join(values) : null;

    /// <summary>Reads the whole body.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The body bytes (empty when there is none).</returns>
    /// <exception cref="BadHttpRequestException">The body is larger than <see cref="ServerLimits.MaxRequestBodySize"/>.</exception>
    public async Task<byte[]> ReadBodyAsync(CancellationToken cancellationToken = default)
    {
        var length = _context.Request.ContentLength;
        using var buffer = new MemoryStream(length is > 0 and <= int.MaxValue ? (int)length.Value : 0);
        await _context.Request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    /// <summary>Reads the whole body as UTF-8 text.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The text.</returns>
    public async Task<string> ReadTextAsync(CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadBodyAsync(cancellationToken).ConfigureAwait(false));
}
