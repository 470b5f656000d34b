using System.Buffers;
using System.IO.Pipelines;
using Roost.Server.Internal.Http2Guard;

namespace Roost.Server.Tests.Http2Guard;

/// <summary>The h2 guard's output writer when a graceful close races the connection's own end.</summary>
public sealed class GuardedOutputTests
{
    // The server's SETTINGS frame with no settings (RFC 9113 §6.5): length 0, type 4, no flags, stream 0.
    private static readonly byte[] EmptySettings = [0, 0, 0, 4, 0, 0, 0, 0, 0];

    // Verifies: a graceful GOAWAY asked for after Kestrel completed the connection's output (a server closing while a
    // connection ends) writes nothing and throws nothing. Before, it wrote to the completed TLS writer and the
    // InvalidOperationException ("Writing is not allowed after writer was completed") came out of CloseAsync/DisposeAsync.
    [Fact]
    public async Task GracefulGoAway_AfterTheOutputWasCompleted_WritesNothingAndDoesNotThrow()
    {
        var toClient = new Pipe();
        var fromClient = new Pipe();
        var guard = new ConnectionGuard(new Duplex(fromClient.Reader, toClient.Writer), Http2GuardLimits.From(new Http2Options()), "127.0.0.1:1");
        guard.Output.Write(EmptySettings);
        await guard.Output.FlushAsync(TestContext.Current.CancellationToken);
        await guard.Output.CompleteAsync();

        Assert.True(guard.SendGracefulGoAway());

        var read = await toClient.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EmptySettings, read.Buffer.ToArray());
        Assert.True(read.IsCompleted);
    }

    // Verifies: the same GOAWAY before the output was completed goes out after the SETTINGS frame (the check above
    // must not stop a GOAWAY that can still be written).
    [Fact]
    public async Task GracefulGoAway_WhileTheConnectionIsOpen_IsWrittenAfterTheSettings()
    {
        var toClient = new Pipe();
        var fromClient = new Pipe();
        var guard = new ConnectionGuard(new Duplex(fromClient.Reader, toClient.Writer), Http2GuardLimits.From(new Http2Options()), "127.0.0.1:1");
        guard.Output.Write(EmptySettings);
        await guard.Output.FlushAsync(TestContext.Current.CancellationToken);

        Assert.True(guard.SendGracefulGoAway());
        await guard.Output.CompleteAsync();

        var read = await toClient.Reader.ReadAsync(TestContext.Current.CancellationToken);
        while (!read.IsCompleted)
        {
            toClient.Reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await toClient.Reader.ReadAsync(TestContext.Current.CancellationToken);
        }

        var bytes = read.Buffer.ToArray();
        Assert.Equal(EmptySettings.Length + 17, bytes.Length);
        Assert.Equal((byte)7, bytes[EmptySettings.Length + 3]);
        Assert.Equal(new byte[] { 0x7f, 0xff, 0xff, 0xff }, bytes[(EmptySettings.Length + 9)..(EmptySettings.Length + 13)]);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
