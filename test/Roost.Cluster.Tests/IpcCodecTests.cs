using System.Text;
using System.Text.Json;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Cluster.Tests;

/// <summary>IpcCodec and IpcFrameReader: round trips, malformed and oversized lines, resynchronisation.</summary>
public sealed class IpcCodecTests
{
    private static readonly IpcMessage[] Samples =
    [
        new OnlineMessage(42),
        new ListenRequestMessage(7, "0.0.0.0", 8081),
        new ListenResponseMessage(7, true, null),
        new ListenResponseMessage(8, false, "Address already in use"),
        new ListeningMessage("127.0.0.1", 8443),
        new HeartbeatMessage(12),
        new StopMessage(30000),
    ];

    public static TheoryData<int> Messages() => [.. Enumerable.Range(0, Samples.Length)];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Encode_ThenDecode_RoundTrips(int index)
    {
        var message = Samples[index];
        var line = IpcCodec.Encode(message);

        Assert.Equal((byte)'\n', line[^1]);
        Assert.DoesNotContain((byte)'\n', line[..^1]);
        Assert.True(IpcCodec.TryDecode(line.AsSpan(0, line.Length - 1), out var decoded, out _));
        Assert.Equal(message, decoded);
    }

    [Fact]
    public void Encode_UserMessageWithNewlinesInStrings_StaysOneLine()
    {
        var payload = JsonSerializer.SerializeToElement("two\nlines", IpcJsonContext.Default.String);
        var line = IpcCodec.Encode(new UserMessage(payload));

        Assert.DoesNotContain((byte)'\n', line[..^1]);
        Assert.True(IpcCodec.TryDecode(line.AsSpan(0, line.Length - 1), out var decoded, out _));
        Assert.Equal("two\nlines", ((UserMessage)decoded!).Payload.GetString());
    }

    [Fact]
    public void Encode_WritesTheTypeDiscriminator()
    {
        var text = Encoding.UTF8.GetString(IpcCodec.Encode(new HeartbeatMessage(3)));

        Assert.Equal("{\"type\":\"heartbeat\",\"sequence\":3,\"requests\":0}\n", text);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"type\":\"no-such-type\"}")]
    [InlineData("{\"sequence\":1}")]
    [InlineData("{\"type\":\"heartbeat\",\"sequence\":\"NaN\"}")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("{\"type\":\"listen\",\"requestId\":1")]
    public void TryDecode_Malformed_ReturnsFalseWithReason(string line)
    {
        Assert.False(IpcCodec.TryDecode(Encoding.UTF8.GetBytes(line), out var message, out var error));
        Assert.Null(message);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryDecode_TypeAfterOtherProperties_IsAccepted()
    {
        Assert.True(IpcCodec.TryDecode("{\"sequence\":5,\"type\":\"heartbeat\"}"u8, out var message, out _));
        Assert.Equal(new HeartbeatMessage(5), message);
    }

    [Fact]
    public void FrameReader_SplitsLinesAcrossChunks()
    {
        var reader = new IpcFrameReader(1024);
        var frames = new List<IpcFrameReader.Frame>();
        var bytes = Encoding.UTF8.GetBytes("{\"a\":1}\n{\"b\":2}\n{\"c\"");

        foreach (var b in bytes)
        {
            reader.Feed([b], frames);
        }

        reader.Feed(":3}\n"u8, frames);

        Assert.Equal(["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"], frames.Select(f => Encoding.UTF8.GetString(f.Line)));
    }

    [Fact]
    public void FrameReader_OversizedLine_IsDroppedOnceAndTheNextLineSurvives()
    {
        var reader = new IpcFrameReader(1024);
        var frames = new List<IpcFrameReader.Frame>();

        reader.Feed(Encoding.UTF8.GetBytes(new string('x', 700)), frames);
        reader.Feed(Encoding.UTF8.GetBytes(new string('x', 700)), frames);
        reader.Feed(Encoding.UTF8.GetBytes(new string('x', 5000) + "\n{\"ok\":1}\n"), frames);

        Assert.Equal(2, frames.Count);
        Assert.True(frames[0].Oversized);
        Assert.Equal(6400, frames[0].Length);
        Assert.Empty(frames[0].Line);
        Assert.Equal("{\"ok\":1}", Encoding.UTF8.GetString(frames[1].Line));
    }

    [Fact]
    public void FrameReader_LineAtTheLimit_IsAccepted()
    {
        var reader = new IpcFrameReader(1024);
        var frames = new List<IpcFrameReader.Frame>();

        reader.Feed(Encoding.UTF8.GetBytes(new string('y', 1024) + "\n"), frames);

        Assert.False(Assert.Single(frames).Oversized);
    }

    [Fact]
    public void FrameReader_EmptyLines_AreSkipped()
    {
        var reader = new IpcFrameReader(1024);
        var frames = new List<IpcFrameReader.Frame>();

        reader.Feed("\n\n{}\n"u8, frames);

        Assert.Single(frames);
    }
}
