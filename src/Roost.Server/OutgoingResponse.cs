using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Roost.Server.Internal;

namespace Roost;

/// <summary>
/// The response a handler writes: Node's <c>http.ServerResponse</c>, over Kestrel.
/// </summary>
/// <remarks>
/// <para><b>How bytes leave.</b> Writes never block a thread on I/O:</para>
/// <list type="number">
/// <item>While the handler runs synchronously, writes are collected in a pooled buffer. A response that ends
/// there goes out as <em>one</em> write with <c>Content-Length</c>: one TLS record for the seed's
/// <c>write</c> + <c>end</c>, as Node corks it (two Kestrel writes would be two records and ~25% fewer requests per
/// second on HTTP/1.1 over TLS).</item>
/// <item>When the buffer passes 64 KiB, or when the handler returns or awaits without having ended the response,
/// what is buffered is sent in the background (chunked on HTTP/1.1), and later writes follow in order, so streaming
/// and server-sent events work as in Node.</item>
/// <item><see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> waits until the bytes are handed to the
/// connection: use it to respect back-pressure when sending large bodies.</item>
/// </list>
/// <para>The response guards its state with its own monitor (<c>lock</c> on the instance, which costs no allocation
/// per request): do not <c>lock</c> on a response object yourself.</para>
/// </remarks>
public sealed partial class OutgoingResponse : IThreadPoolWorkItem
{
    /// <summary>Past this many buffered bytes the response starts streaming even while the handler still runs.</summary>
    internal const int StreamThreshold = 64 * 1024;

    private readonly HttpContext _context;
    private byte[]? _buffer;
    private int _count;
    private bool _ended;
    private bool _handlerRunning = true;
    private bool _flushing;
    private bool _finished;
    private bool _sendStarted;

    internal OutgoingResponse(HttpContext context) => _context = context;

    /// <summary>Gets or sets the status code.</summary>
    /// <remarks>Defaults to 200.</remarks>
    /// <exception cref="InvalidOperationException">The headers were already sent.</exception>
    public int StatusCode
    {
        get => _context.Response.StatusCode;
        set
        {
            if (value is < 100 or > 999)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, ErrorMessages.StatusCodeOutOfRange(value));
            }

            ThrowIfHeadersSent("set the status code", null);
            _context.Response.StatusCode = value;
        }
    }

    /// <summary>Gets a value indicating whether the status line and headers were sent (Node's <c>headersSent</c>).</summary>
    public bool HeadersSent => _context.Response.HasStarted;

    /// <summary>Gets a value indicating whether <see cref="End()"/> was called (Node's <c>writableEnded</c>).</summary>
    public bool Ended
    {
        get
        {
            lock (this)
            {
                return _ended;
            }
        }
    }

    /// <summary>Gets the response headers.</summary>
    public IHeaderDictionary Headers => _context.Response.Headers;

    /// <summary>Sets a header, replacing any value it had.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The value; several values are sent as several header lines.</param>
    /// <returns>This response, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The headers were already sent.</exception>
    public OutgoingResponse SetHeader(string name, StringValues value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfHeadersSent("set header", name);
        _context.Response.Headers[name] = value;
        return this;
    }

    /// <summary>Sets a numeric header such as <c>Content-Length</c>.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This response, for chaining.</returns>
    public OutgoingResponse SetHeader(string name, long value) =>
        SetHeader(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Gets a header's value (several values joined with <c>", "</c>), or <see langword="null"/>.</summary>
    /// <param name="name">The header name (case-insensitive).</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? GetHeader(string name) =>
        _context.Response.Headers.TryGetValue(name, out var values) ? HeaderValues.Join(values) : null;

    /// <summary>Gets a value indicating whether the header is set.</summary>
    /// <param name="name">The header name (case-insensitive).</param>
    /// <returns><see langword="true"/> when set.</returns>
    public bool HasHeader(string name) => _context.Response.Headers.ContainsKey(name);

    /// <summary>Removes a header.</summary>
    /// <param name="name">The header name (case-insensitive).</param>
    /// <exception cref="InvalidOperationException">The headers were already sent.</exception>
    public void RemoveHeader(string name)
    {
        ThrowIfHeadersSent("remove header", name);
        _context.Response.Headers.Remove(name);
    }

    /// <summary>Sets the status and headers at once (Node's <c>writeHead</c>). They are sent with the first bytes of the body.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="headers">Headers to set, or <see langword="null"/>.</param>
    /// <returns>This response, for chaining.</returns>
    public OutgoingResponse WriteHead(int statusCode, IEnumerable<KeyValuePair<string, StringValues>>? headers = null)
    {
        StatusCode = statusCode;
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                SetHeader(name, value);
            }
        }

        return this;
    }

    /// <summary>Writes UTF-8 text to the body without blocking.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="InvalidOperationException">The response already ended.</exception>
    public void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool schedule;
        lock (this)
        {
            ThrowIfEnded();
            var span = Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
            _count += Encoding.UTF8.GetBytes(text, span);
            schedule = ClaimFlushAfterWriteLocked();
        }

        if (schedule)
        {
            Schedule();
        }
    }

    /// <summary>Writes bytes to the body without blocking; the bytes are copied.</summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="InvalidOperationException">The response already ended.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        bool schedule;
        lock (this)
        {
            ThrowIfEnded();
            data.CopyTo(Reserve(data.Length));
            _count += data.Length;
            schedule = ClaimFlushAfterWriteLocked();
        }

        if (schedule)
        {
            Schedule();
        }
    }

    /// <summary>Writes bytes to the body without blocking; the bytes are copied.</summary>
    /// <param name="data">The bytes.</param>
    public void Write(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Write(data.AsSpan());
    }

    /// <summary>Ends the response (Node's <c>res.end()</c>).</summary>
    /// <remarks>Calling it again does nothing.</remarks>
    public void End() => EndCore(static (_, _) => 0, string.Empty, 0);

    /// <summary>Writes UTF-8 text, then ends the response.</summary>
    /// <param name="text">The last text.</param>
    /// <exception cref="InvalidOperationException">The response already ended.</exception>
    public void End(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        EndCore(static (s, span) => Encoding.UTF8.GetBytes(s, span), text, Encoding.UTF8.GetMaxByteCount(text.Length));
    }

    /// <summary>Writes bytes, then ends the response.</summary>
    /// <param name="data">The last bytes.</param>
    /// <exception cref="InvalidOperationException">The response already ended.</exception>
    public void End(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        EndCore(static (d, span) => { d.CopyTo(span); return d.Length; }, data, data.Length);
    }

    /// <summary>Writes bytes and waits until they are handed to the connection (back-pressure for large bodies).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Cancels the wait (the bytes may still be sent).</param>
    /// <returns>A task that completes when the bytes left the buffer.</returns>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(data.Span);
        return DrainAsync(cancellationToken);
    }

    /// <summary>Writes UTF-8 text and waits until it is handed to the connection.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the text left the buffer.</returns>
    public Task WriteAsync(string text, CancellationToken cancellationToken = default)
    {
        Write(text);
        return DrainAsync(cancellationToken);
    }

    /// <summary>Ends the response. Equivalent to <see cref="End()"/>; offered for <c>await</c>-style handlers.</summary>
    /// <returns>A completed task.</returns>
    public Task EndAsync()
    {
        End();
        return Task.CompletedTask;
    }

    /// <summary>Writes UTF-8 text and ends the response. Equivalent to <see cref="End(string)"/>.</summary>
    /// <param name="text">The last text.</param>
    /// <returns>A completed task.</returns>
    public Task EndAsync(string text)
    {
        End(text);
        return Task.CompletedTask;
    }

    /// <summary>Writes bytes and ends the response. Equivalent to <see cref="End(byte[])"/>.</summary>
    /// <param name="data">The last bytes.</param>
    /// <returns>A completed task.</returns>
    public Task EndAsync(byte[] data)
    {
        End(data);
        return Task.CompletedTask;
    }

    /// <summary>Throws when the headers are out; the message (naming <paramref name="name"/>) is built only then.</summary>
    private void ThrowIfHeadersSent(string action, string? name)
    {
        if (_context.Response.HasStarted)
        {
            throw new InvalidOperationException(ErrorMessages.HeadersAlreadySent(name is null ? action : $"{action} '{name}'"));
        }
    }

    private void ThrowIfEnded()
    {
        if (_ended)
        {
            throw new InvalidOperationException(ErrorMessages.WriteAfterEnd());
        }
    }
}
