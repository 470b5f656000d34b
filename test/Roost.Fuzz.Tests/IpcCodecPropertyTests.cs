using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;
using CsCheck;
using Roost.Clustering.Internal.Ipc;
using Roost.FuzzTargets;

namespace Roost.Fuzz.Tests;

/// <summary>
/// IpcCodec and IpcFrameReader as properties: every message shape round-trips; arbitrary and mutated bytes are refused
/// with a reason and never throw; split reads give the frames one read gives; an endless line costs bounded memory.
/// </summary>
public sealed class IpcCodecPropertyTests
{
    [Fact]
    public void Generators_CoverEveryMessageType()
    {
        var declared = typeof(IpcMessage).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).ToHashSet();

        Assert.Equal(declared.OrderBy(t => t.Name), Generators.IpcMessages.Keys.OrderBy(t => t.Name));
    }

    [Fact]
    public void EncodeThenDecode_IsIdentity_ForEveryMessageShape()
    {
        Property.Check(Generators.IpcMessage, message =>
        {
            var line = IpcCodec.Encode(message);
            Assert.Equal((byte)'\n', line[^1]);
            Assert.DoesNotContain((byte)'\n', line[..^1]);

            Assert.True(IpcCodec.TryDecode(line.AsSpan(0, line.Length - 1), out var decoded, out var error), error);
            Assert.Equal(message.GetType(), decoded!.GetType());
            Assert.Equal(line, IpcCodec.Encode(decoded));
            if (message is not (UserMessage or BroadcastMessage or CertificatesReloadedMessage or TlsFilesMessage or TicketKeysMessage))
            {
                // Records of scalars compare by value; the others hold a JsonElement or a list (compared above by encoding).
                Assert.Equal(message, decoded);
            }
        }, iterations: 3000);
    }

    [Fact]
    public void ArbitraryBytes_NeverThrow_AndRefusalsGiveAReason()
    {
        Property.Check(Gen.Byte.Array[0, 1200], bytes => IpcTarget.Run(bytes), iterations: 3000);
    }

    [Fact]
    public void MutatedMessages_NeverThrow_AndWhatDecodesRoundTrips()
    {
        Property.Check(Mutations.Of(Generators.IpcMessage.Select(IpcCodec.Encode)), line => IpcTarget.Decode(line.AsSpan().TrimEnd((byte)'\n')), iterations: 5000);
    }

    [Fact]
    public void SplitReads_GiveTheSameMessagesAsWholeReads()
    {
        var gen = Gen.Select(Generators.IpcMessage.Array[1, 8], Gen.Int[1, 64].Array[1, 16]);
        Property.Check(gen, input =>
        {
            var (messages, cuts) = input;
            var stream = messages.SelectMany(IpcCodec.Encode).ToArray();
            var reader = new IpcFrameReader(IpcCodec.DefaultMaxMessageBytes);
            var frames = new List<IpcFrameReader.Frame>();
            var offset = 0;
            for (var i = 0; offset < stream.Length; i++)
            {
                var size = Math.Min(cuts[i % cuts.Length], stream.Length - offset);
                reader.Feed(stream.AsSpan(offset, size), frames);
                offset += size;
            }

            Assert.Equal(messages.Length, frames.Count);
            for (var i = 0; i < messages.Length; i++)
            {
                Assert.True(IpcCodec.TryDecode(frames[i].Line, out var decoded, out var error), error);
                Assert.Equal(IpcCodec.Encode(messages[i]), IpcCodec.Encode(decoded!));
            }
        }, iterations: 1000);
    }

    [Fact]
    public void LinesAroundTheLimit_AreKeptOrDroppedByLength_AndTheNextLineSurvives()
    {
        const int limit = 256;
        var gen = Gen.Select(Gen.Int[limit - 8, limit + 8], Gen.Int[1, 300]);
        Property.Check(gen, input =>
        {
            var (length, readSize) = input;
            var stream = Encoding.ASCII.GetBytes(new string('x', length) + "\n{\"type\":\"online\",\"pid\":1}\n");
            var reader = new IpcFrameReader(limit);
            var frames = new List<IpcFrameReader.Frame>();
            for (var offset = 0; offset < stream.Length; offset += readSize)
            {
                reader.Feed(stream.AsSpan(offset, Math.Min(readSize, stream.Length - offset)), frames);
            }

            Assert.Equal(2, frames.Count);
            Assert.Equal(length > limit, frames[0].Oversized);
            Assert.Equal(length, frames[0].Length);
            Assert.Equal(length > limit ? 0 : length, frames[0].Line.Length);
            Assert.True(IpcCodec.TryDecode(frames[1].Line, out var message, out _));
            Assert.Equal(new OnlineMessage(1), message);
        }, iterations: 400);
    }

    [Fact]
    public void EndlessLine_IsDiscardedWithoutBuffering()
    {
        // 16 MiB without a newline through a 64 KiB limit: what is kept is bounded by the limit, not by the input.
        const int limit = 64 * 1024;
        var reader = new IpcFrameReader(limit);
        var frames = new List<IpcFrameReader.Frame>();
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'a');

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 256; i++)
        {
            reader.Feed(chunk, frames);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        reader.Feed("\n"u8, frames);

        Assert.True(allocated < 4 * limit, $"feeding 16 MiB without a newline allocated {allocated:N0} bytes");
        var frame = Assert.Single(frames);
        Assert.True(frame.Oversized);
        Assert.Equal(256L * chunk.Length, frame.Length);
    }

    [Fact]
    public void BroadcastWithoutPayload_IsRefusedWhenRead()
    {
        // Found by fuzzing (fuzz/regressions/ipc/broadcast-without-payload): the line decoded to a BroadcastMessage
        // with an undefined payload, and the primary's fan-out then threw as it encoded it for the other workers.
        Assert.False(IpcCodec.TryDecode("{\"type\":\"broadcast\",\"senderId\":3}"u8, out var message, out var error));
        Assert.Null(message);
        Assert.Contains("payload", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("{\"type\":\"listen\",\"requestId\":1,\"port\":80}", "address")]
    [InlineData("{\"type\":\"listen\",\"requestId\":1,\"address\":null,\"port\":80}", "address")]
    [InlineData("{\"type\":\"listening\",\"port\":80}", "address")]
    [InlineData("{\"type\":\"connection\"}", "endPoint")]
    [InlineData("{\"type\":\"heartbeat\"}", "sequence")]
    [InlineData("{\"type\":\"certificates-reloaded\",\"requestId\":1,\"certificates\":null}", "certificates")]
    public void MessageMissingARequiredMember_IsRefusedNamingIt(string line, string member)
    {
        Assert.False(IpcCodec.TryDecode(Encoding.UTF8.GetBytes(line), out var message, out var error));
        Assert.Null(message);
        Assert.Contains(member, error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("{\"type\":\"broadcast\",\"payload\":\"a\\uDEBFb\",\"senderId\":3}", "cannot be re-encoded")]
    [InlineData("{\"type\":\"message\",\"payload\":[\"\\ud800\"]}", "cannot be re-encoded")]
    [InlineData("{\"type\":\"listening\",\"address\":\"\\uDC00\",\"port\":1}", "could not be converted")]
    public void LoneSurrogateEscape_IsRefusedWhenRead(string line, string reason)
    {
        // Found by fuzzing: the reader accepts "\uDEBF" in a JSON string, the writer refuses it, so the primary's
        // broadcast fan-out threw as it re-encoded the payload for the other workers.
        Assert.False(IpcCodec.TryDecode(Encoding.UTF8.GetBytes(line), out var message, out var error));
        Assert.Null(message);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SurrogatePairEscape_IsAccepted()
    {
        Assert.True(IpcCodec.TryDecode("{\"type\":\"message\",\"payload\":\"\\uD83D\\uDE00\"}"u8, out var message, out var error), error);
        Assert.Equal("\U0001F600", ((UserMessage)message!).Payload.GetString());
    }
}
