using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Roost.MicroBenchmarks;

/// <summary>
/// A response body that accepts bytes and drops them: the transport below the façade costs nothing, so a
/// benchmark of <see cref="Roost.Server.Internal.RequestDispatcher"/> measures Roost's code and the HttpContext calls it
/// makes, not Kestrel's output pipe, HTTP/2 framing or TLS (the load harness in benchmarks/load measures those).
/// </summary>
internal sealed class DiscardingResponseBody : PipeWriter, IHttpResponseBodyFeature
{
    private readonly byte[] _scratch = new byte[256 * 1024];

    /// <summary>Gets the bytes written since the last <see cref="Reset"/>, so a benchmark can check it ran.</summary>
    public long Written { get; private set; }

    public Stream Stream => Stream.Null;

    public PipeWriter Writer => this;

    public void Reset() => Written = 0;

    public override void Advance(int bytes) => Written += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _scratch;

    public override Span<byte> GetSpan(int sizeHint = 0) => _scratch;

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
        new(new FlushResult(isCanceled: false, isCompleted: false));

    public void DisableBuffering()
    {
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task CompleteAsync() => Task.CompletedTask;
}
