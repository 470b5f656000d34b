using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Roost.Server.Internal;

namespace Roost.MicroBenchmarks;

/// <summary>
/// One request through the façade's request delegate (<see cref="RequestDispatcher.HandleAsync"/>): wrappers,
/// handler, write buffering and the hand-over to the response body. The <see cref="HttpContext"/> is a
/// <see cref="DefaultHttpContext"/> reused for every request, as Kestrel reuses its context per connection, with a
/// response body that drops the bytes (<see cref="DiscardingResponseBody"/>). <see cref="RawOneWrite"/> is what the
/// raw Kestrel contender of benchmarks/load does on the same context: the difference is the façade's own cost.
/// </summary>
/// <remarks>
/// Not measured here: Kestrel's parsing, framing, output pipe and TLS (see benchmarks/load). DefaultHttpContext
/// formats <c>Content-Length</c> into a string (Kestrel's own response headers keep it as a number), so the baseline
/// allocates a little; compare the façade rows with the baseline row, not with zero.
/// </remarks>
[MemoryDiagnoser]
public class FacadeDispatchBenchmarks
{
    private static readonly byte[] SeedBody = Encoding.UTF8.GetBytes("<h1>hello Node</h1><p>hello server!</p>");
    private static readonly byte[] Chunk = new byte[4096];

    private readonly DefaultHttpContext _context = new();
    private readonly DiscardingResponseBody _body = new();
    private RequestDispatcher _seed = null!;
    private RequestDispatcher _seedAsync = null!;
    private RequestDispatcher _headers = null!;
    private RequestDispatcher _tenWrites = null!;
    private RequestDispatcher _streamed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _context.Features.Set<IHttpResponseBodyFeature>(_body);
        var request = _context.Request;
        request.Method = "GET";
        request.Protocol = "HTTP/1.1";
        request.Scheme = "https";
        request.Path = "/";
        _context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget = "/";
        request.Headers.Host = "127.0.0.1";
        request.Headers.UserAgent = "h2load nghttp2/1.52.0";
        request.Headers.Accept = "*/*";

        var logger = NullLogger.Instance;
        _seed = new RequestDispatcher(static (req, res) =>
        {
            res.Write("<h1>hello Node</h1>");
            res.End("<p>hello server!</p>");
        }, null, logger, refuseHttp1: false);
        _seedAsync = new RequestDispatcher(null, static (req, res) =>
        {
            res.Write("<h1>hello Node</h1>");
            return res.EndAsync("<p>hello server!</p>");
        }, logger, refuseHttp1: false);
        _headers = new RequestDispatcher(static (req, res) =>
        {
            // What a small API handler typically touches: method, url, one request header, two response headers.
            if (req.Method == "GET" && req.Url == "/" && req.GetHeader("user-agent") is not null)
            {
                res.SetHeader("Content-Type", "text/html; charset=utf-8");
                res.SetHeader("Cache-Control", "no-store");
            }

            res.End("<h1>hello Node</h1><p>hello server!</p>");
        }, null, logger, refuseHttp1: false);
        _tenWrites = new RequestDispatcher(static (req, res) =>
        {
            for (var i = 0; i < 10; i++)
            {
                res.Write("<li>item</li>");
            }

            res.End();
        }, null, logger, refuseHttp1: false);
        _streamed = new RequestDispatcher(static (req, res) =>
        {
            // 100 KiB in 4 KiB writes: past the 64 KiB threshold the response streams from the thread pool.
            for (var i = 0; i < 25; i++)
            {
                res.Write(Chunk);
            }

            res.End();
        }, null, logger, refuseHttp1: false);
    }

    [Benchmark(Baseline = true, Description = "raw Kestrel one-write handler (baseline)")]
    public void RawOneWrite()
    {
        Reset();
        var response = _context.Response;
        response.ContentLength = SeedBody.Length;
        response.BodyWriter.Write(SeedBody);
    }

    [Benchmark(Description = "façade seed: Write + End (sync handler)")]
    public Task FacadeSeed()
    {
        Reset();
        return _seed.HandleAsync(_context);
    }

    [Benchmark(Description = "façade seed: Write + EndAsync (async handler)")]
    public Task FacadeSeedAsync()
    {
        Reset();
        return _seedAsync.HandleAsync(_context);
    }

    [Benchmark(Description = "façade: read method/url/header, set 2 headers, End")]
    public Task FacadeHeaders()
    {
        Reset();
        return _headers.HandleAsync(_context);
    }

    [Benchmark(Description = "façade: 10 × Write + End (coalesced)")]
    public Task FacadeTenWrites()
    {
        Reset();
        return _tenWrites.HandleAsync(_context);
    }

    [Benchmark(Description = "façade: 100 KiB in 25 writes (streams past 64 KiB)")]
    public Task FacadeStreamed100K()
    {
        Reset();
        return _streamed.HandleAsync(_context);
    }

    private void Reset()
    {
        var response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.Clear();
        _body.Reset();
    }
}
