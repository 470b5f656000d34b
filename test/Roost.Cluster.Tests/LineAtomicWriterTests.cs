using System.Text;
using Roost.Clustering.Internal;

namespace Roost.Cluster.Tests;

/// <summary>The console writer of cluster processes hands each complete line to its stream in one Write.</summary>
public sealed class LineAtomicWriterTests
{
    /// <summary>
    /// Verifies that text is held until a line ends, that the complete lines of one call (a multi-line entry) go out in
    /// one Write, that a line far longer than Console's 256-character buffer is one Write, and that Flush writes a
    /// partial line.
    /// </summary>
    [Fact]
    public void Write_LinesInPieces_EachCompleteLineIsOneWrite()
    {
        var stream = new RecordingStream();
        using var writer = new LineAtomicWriter(stream);
        var longLine = new string('x', 3000);

        writer.Write("12:00:00 info: ");
        writer.Write('A');
        Assert.Empty(stream.Writes);
        writer.Write("[1] message\nsecond line\nthird ");
        writer.WriteLine(longLine);
        writer.Write("partial");
        writer.Flush();

        Assert.Equal(["12:00:00 info: A[1] message\nsecond line\n", "third " + longLine + "\n", "partial"], stream.Writes);
    }

    private sealed class RecordingStream : MemoryStream
    {
        public List<string> Writes { get; } = [];

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(Encoding.UTF8.GetString(buffer, offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(Encoding.UTF8.GetString(buffer));
    }
}
