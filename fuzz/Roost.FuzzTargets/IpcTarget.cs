using Roost.Clustering.Internal.Ipc;

namespace Roost.FuzzTargets;

/// <summary>
/// The bytes a worker or the primary reads from its IPC socket. Input: byte 0 sets the size of the reads the stream
/// is cut into (1–256), the rest is the stream. Checks: the frame reader gives the same frames for one read and for
/// many small ones; a frame is never longer than the limit, an oversized line is reported (not kept); every byte
/// before the last newline is accounted for; a line that decodes re-encodes to one line that decodes to the same
/// encoding; a line that does not decode gives a reason; nothing throws.
/// </summary>
public static class IpcTarget
{
    /// <summary>The limit the target's reader uses: small, so that oversized lines are within the fuzzer's reach.</summary>
    public const int MaxMessageBytes = 512;

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var readSize = data[0] + 1;
        var stream = data[1..];
        var whole = Frames(stream, Math.Max(stream.Length, 1));
        var split = Frames(stream, readSize);
        FuzzInvariantException.That(whole.Count == split.Count, $"one read gave {whole.Count} frames, reads of {readSize} bytes gave {split.Count}");
        for (var i = 0; i < whole.Count; i++)
        {
            FuzzInvariantException.That(
                whole[i].Oversized == split[i].Oversized && whole[i].Length == split[i].Length && whole[i].Line.AsSpan().SequenceEqual(split[i].Line),
                $"frame {i} differs between one read and reads of {readSize} bytes");
        }

        var lastNewline = stream.LastIndexOf((byte)'\n');
        var complete = lastNewline + 1;
        var newlines = stream[..complete].Count((byte)'\n');
        FuzzInvariantException.That(
            whole.Sum(f => f.Length) == complete - newlines,
            $"frames hold {whole.Sum(f => f.Length)} bytes; the {complete} bytes up to the last newline hold {complete - newlines} besides newlines");

        foreach (var frame in whole)
        {
            if (frame.Oversized)
            {
                FuzzInvariantException.That(frame.Line.Length == 0 && frame.Length > MaxMessageBytes, $"an oversized frame of {frame.Length} bytes kept {frame.Line.Length} bytes");
                continue;
            }

            FuzzInvariantException.That(frame.Line.Length > 0 && frame.Line.Length <= MaxMessageBytes && frame.Length == frame.Line.Length, $"a frame of {frame.Line.Length} bytes passed the {MaxMessageBytes}-byte limit or is empty");
            FuzzInvariantException.That(!frame.Line.AsSpan().Contains((byte)'\n'), "a frame holds a newline");
            Decode(frame.Line);
        }
    }

    /// <summary>Decodes one line; one that decodes must survive encode → decode → encode unchanged.</summary>
    public static void Decode(ReadOnlySpan<byte> line)
    {
        if (!IpcCodec.TryDecode(line, out var message, out var error))
        {
            FuzzInvariantException.That(message is null && !string.IsNullOrEmpty(error), "a refused line has no reason, or a message");
            return;
        }

        FuzzInvariantException.That(message is not null && error is null, "an accepted line has no message, or an error");
        var encoded = IpcCodec.Encode(message!);
        FuzzInvariantException.That(encoded[^1] == (byte)'\n' && encoded.AsSpan(0, encoded.Length - 1).IndexOf((byte)'\n') < 0, "an encoded message is not exactly one line");
        FuzzInvariantException.That(IpcCodec.TryDecode(encoded.AsSpan(0, encoded.Length - 1), out var again, out var againError), $"a re-encoded message does not decode: {againError}");
        FuzzInvariantException.That(again!.GetType() == message!.GetType(), $"a {message.GetType().Name} decoded as {again.GetType().Name} after a round trip");
        FuzzInvariantException.That(IpcCodec.Encode(again).AsSpan().SequenceEqual(encoded), $"a {message.GetType().Name} encodes differently after a round trip");
    }

    private static List<IpcFrameReader.Frame> Frames(ReadOnlySpan<byte> stream, int readSize)
    {
        var reader = new IpcFrameReader(MaxMessageBytes);
        var frames = new List<IpcFrameReader.Frame>();
        for (var offset = 0; offset < stream.Length; offset += readSize)
        {
            reader.Feed(stream.Slice(offset, Math.Min(readSize, stream.Length - offset)), frames);
        }

        return frames;
    }
}
