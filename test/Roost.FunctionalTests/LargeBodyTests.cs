using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>10 MB bodies both ways over HTTP/1.1 and HTTP/2 over TLS, checked by SHA-256, and the request body limit.</summary>
public sealed class LargeBodyTests
{
    private const int Size = 10 * 1024 * 1024;
    private const int ChunkSize = 64 * 1024;

    private static readonly Lazy<byte[]> Payload = new(() =>
    {
        var bytes = new byte[Size];
        new Random(20250101).NextBytes(bytes);
        return bytes;
    });

    private static readonly Lazy<string> PayloadHash = new(() => Convert.ToHexString(SHA256.HashData(Payload.Value)));

    public enum ResponseWriting
    {
        /// <summary><c>await res.WriteAsync(chunk)</c> in a loop: back-pressure respected.</summary>
        WriteAsyncChunks,

        /// <summary><c>res.Write(chunk)</c> in a loop from a sync handler.</summary>
        SyncWriteLoop,

        /// <summary><c>res.End(bytes)</c> with the whole body at once.</summary>
        EndWithAllBytes,
    }

    public static TheoryData<TestProtocol, bool> RequestCases() => new()
    {
        { TestProtocol.Http11Tls, true },
        { TestProtocol.Http11Tls, false },
        { TestProtocol.H2Tls, true },
        { TestProtocol.H2Tls, false },
    };

    public static TheoryData<TestProtocol, ResponseWriting> ResponseCases()
    {
        var data = new TheoryData<TestProtocol, ResponseWriting>();
        foreach (var protocol in new[] { TestProtocol.Http11Tls, TestProtocol.H2Tls })
        {
            foreach (var writing in Enum.GetValues<ResponseWriting>())
            {
                data.Add(protocol, writing);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RequestCases))]
    public async Task RequestBody_10MB_ReadBodyAsyncSeesEveryByte(TestProtocol protocol, bool contentLengthKnown)
    {
        await using var running = await RunningServer.StartAsync(protocol, async (req, res) =>
        {
            var body = await req.ReadBodyAsync(req.Aborted);
            await res.EndAsync($"{body.Length} {Convert.ToHexString(SHA256.HashData(body))}");
        });
        using var request = running.Request(HttpMethod.Post, "/upload");
        request.Content = contentLengthKnown ? new ByteArrayContent(Payload.Value) : new UnknownLengthContent(Payload.Value);

        using var response = await running.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{Size} {PayloadHash.Value}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(ResponseCases))]
    public async Task ResponseBody_10MB_ArrivesByteExact(TestProtocol protocol, ResponseWriting writing)
    {
        await using var running = writing switch
        {
            ResponseWriting.WriteAsyncChunks => await RunningServer.StartAsync(protocol, async (req, res) =>
            {
                for (var offset = 0; offset < Size; offset += ChunkSize)
                {
                    await res.WriteAsync(Payload.Value.AsMemory(offset, Math.Min(ChunkSize, Size - offset)), req.Aborted);
                }

                await res.EndAsync();
            }),
            ResponseWriting.SyncWriteLoop => await RunningServer.StartAsync(protocol, (req, res) =>
            {
                for (var offset = 0; offset < Size; offset += ChunkSize)
                {
                    res.Write(Payload.Value.AsSpan(offset, Math.Min(ChunkSize, Size - offset)));
                }

                res.End();
            }),
            _ => await RunningServer.StartAsync(protocol, (req, res) => res.End(Payload.Value)),
        };

        using var response = await running.Client.SendAsync(running.Request(HttpMethod.Get), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(running.Version, response.Version);
        Assert.Equal(Size, total);
        Assert.Equal(PayloadHash.Value, Convert.ToHexString(hash.GetHashAndReset()));
        if (writing == ResponseWriting.EndWithAllBytes)
        {
            Assert.Equal(Size, response.Content.Headers.ContentLength);
        }
    }

    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task RequestBody_OverMaxRequestBodySize_Gets413(TestProtocol protocol)
    {
        // ServerLimits.MaxRequestBodySize documents 413 for a larger body (Kestrel's status), not a handler failure.
        await using var running = await RunningServer.StartAsync(
            protocol,
            async (req, res) =>
            {
                var body = await req.ReadBodyAsync(req.Aborted);
                await res.EndAsync($"read {body.Length} bytes");
            },
            options => options.Limits.MaxRequestBodySize = 1024 * 1024);
        using var request = running.Request(HttpMethod.Post, "/upload");
        request.Content = new ByteArrayContent(Payload.Value.AsSpan(0, 2 * 1024 * 1024).ToArray());

        // On HTTP/1.1 the server answers before the upload ends and closes the connection; waiting for
        // 100-continue lets the client read that answer instead of failing on a broken pipe mid-upload.
        request.Headers.ExpectContinue = protocol == TestProtocol.Http11Tls;

        using var response = await running.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    // Verifies (issue 13, item 3): a handler that never reads the body (a page, a health check) no longer answers 200
    // to a body over the limit: the façade answers 413 before the handler runs, and the request ends cleanly — on
    // HTTP/1.1 with Connection: close (the unread body is not kept for the next request), on h2 without a hang.
    [Theory]
    [InlineData(TestProtocol.Http11Tls)]
    [InlineData(TestProtocol.H2Tls)]
    public async Task RequestBody_ContentLengthOverLimit_HandlerThatDoesNotRead_Gets413BeforeTheHandler(TestProtocol protocol)
    {
        var handled = 0;
        await using var running = await RunningServer.StartAsync(
            protocol,
            (req, res) =>
            {
                Interlocked.Increment(ref handled);
                res.End("ok");
            },
            options => options.Limits.MaxRequestBodySize = 1024 * 1024);
        using var request = running.Request(HttpMethod.Post, "/healthz");
        request.Content = new ByteArrayContent(Payload.Value.AsSpan(0, 3 * 1024 * 1024).ToArray());

        using var response = await running.Client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref handled));
        Assert.Equal(
            "Request body too large: Content-Length 3145728 is over this server's limit of 1048576 bytes.\n",
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        if (protocol == TestProtocol.Http11Tls)
        {
            Assert.True(response.Headers.ConnectionClose, "HTTP/1.1 413 without Connection: close");
        }
    }

    // Verifies (issue 13, item 3): on h2 the 413 ends with END_STREAM and is followed by RST_STREAM(NO_ERROR), which
    // tells the client to stop sending the rest of the body (RFC 9113 §8.1); nghttp shows the frames.
    [Fact]
    public async Task RequestBody_ContentLengthOverLimit_H2_413ThenRstStreamNoError()
    {
        var nghttp = ExternalTool.Require("nghttp", "nghttp2-client");
        await using var running = await RunningServer.StartAsync(
            TestProtocol.H2Tls,
            (req, res) => res.End("ok"),
            options => options.Limits.MaxRequestBodySize = 1024 * 1024);
        using var temp = new TempDirectory("roost-body");
        var body = temp.Write("body.bin", Payload.Value.AsSpan(0, 3 * 1024 * 1024).ToArray());

        var (_, output) = await TestProcess.RunAsync(nghttp, ["-v", "-d", body, running.Url("/").ToString()], TimeSpan.FromSeconds(30));

        Assert.Contains(":status: 413", output, StringComparison.Ordinal);
        var status = output.IndexOf(":status: 413", StringComparison.Ordinal);
        var reset = output.IndexOf("recv RST_STREAM frame", status, StringComparison.Ordinal);
        Assert.True(reset > status, $"No RST_STREAM after the 413:\n{output}");
        Assert.Contains("error_code=NO_ERROR", output[reset..], StringComparison.Ordinal);
    }

    /// <summary>A body sent without Content-Length (chunked on HTTP/1.1, DATA frames until END_STREAM on HTTP/2).</summary>
    private sealed class UnknownLengthContent(byte[] data) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < data.Length; offset += ChunkSize)
            {
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(ChunkSize, data.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
