using System.Buffers;
using Roost.Server.Internal;

namespace Roost.FuzzTargets;

/// <summary>
/// The first bytes of a connection, as <see cref="ClientHelloPeek"/> sees them before the TLS handshake. Input: byte 0
/// chooses where the bytes are cut into pipe segments, the rest are the bytes. Checks: nothing throws; one segment
/// and several give the same outcome; more bytes are asked for only while the first record (at most 5 + 16,384
/// bytes) is incomplete; once decided, bytes after it change nothing and every prefix either needs more or agrees.
/// </summary>
public static class ClientHelloTarget
{
    /// <summary>The most the peek ever needs: a record header and the largest TLS plaintext record (RFC 8446 §5.1).</summary>
    public const int MaxLookAhead = 5 + 16384;

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var cut = data[0];
        var bytes = data[1..].ToArray();
        var whole = ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(bytes));

        var first = bytes.Length == 0 ? 0 : cut % (bytes.Length + 1);
        var second = first + ((bytes.Length - first) / 2);
        var split = ClientHelloPeek.Inspect(Segments(bytes, first, second));
        FuzzInvariantException.That(split == whole, $"one segment gave {whole}, segments cut at {first} and {second} gave {split}");

        if (whole == ClientHelloPeek.Outcome.NeedMore)
        {
            FuzzInvariantException.That(bytes.Length < MaxLookAhead, $"{bytes.Length} bytes still need more");
            return;
        }

        var longer = new byte[bytes.Length + 7];
        bytes.CopyTo(longer, 0);
        longer.AsSpan(bytes.Length).Fill(cut);
        var extended = ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(longer));
        FuzzInvariantException.That(extended == whole, $"{whole} became {extended} with bytes after the record");

        var prefix = ClientHelloPeek.Inspect(new ReadOnlySequence<byte>(bytes, 0, first));
        FuzzInvariantException.That(prefix == whole || prefix == ClientHelloPeek.Outcome.NeedMore, $"the first {first} bytes gave {prefix}, all {bytes.Length} gave {whole}");
    }

    /// <summary>The bytes as up to three pipe segments, cut at <paramref name="first"/> and <paramref name="second"/>.</summary>
    public static ReadOnlySequence<byte> Segments(byte[] bytes, int first, int second)
    {
        var head = new Segment(bytes.AsMemory(0, first), 0);
        var middle = head.Append(bytes.AsMemory(first, second - first));
        var tail = middle.Append(bytes.AsMemory(second));
        return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
