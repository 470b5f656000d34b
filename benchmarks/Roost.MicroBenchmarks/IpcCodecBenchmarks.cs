using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Roost.Clustering.Internal.Ipc;

namespace Roost.MicroBenchmarks;

/// <summary>
/// The cluster IPC codec (<see cref="IpcCodec"/>, JSON lines through the source-generated context) and the line
/// splitter (<see cref="IpcFrameReader"/>) for the messages a worker sends most: heartbeats, listen answers and
/// application messages.
/// </summary>
[MemoryDiagnoser]
public class IpcCodecBenchmarks
{
    private readonly HeartbeatMessage _heartbeat = new(123_456);
    private readonly ListenResponseMessage _listenResponse = new(7, HasHandle: true, Error: null);
    private readonly IpcFrameReader _reader = new(IpcCodec.DefaultMaxMessageBytes);
    private readonly List<IpcFrameReader.Frame> _frames = [];
    private UserMessage _user = null!;
    private byte[] _heartbeatLine = null!;
    private byte[] _listenResponseLine = null!;
    private byte[] _userLine = null!;
    private byte[] _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var payload = JsonDocument.Parse("""{"cmd":"notifyRequest","worker":3,"path":"/api/items?page=2","ms":12.5}""");
        _user = new UserMessage(payload.RootElement.Clone());
        _heartbeatLine = Line(_heartbeat);
        _listenResponseLine = Line(_listenResponse);
        _userLine = Line(_user);

        // Ten messages as they arrive on a socket: several per read.
        using var stream = new MemoryStream();
        for (var i = 0; i < 10; i++)
        {
            stream.Write(IpcCodec.Encode(i % 2 == 0 ? _heartbeat : _user));
        }

        _stream = stream.ToArray();
        if (!IpcCodec.TryDecode(_userLine, out var decoded, out var error) || decoded is not UserMessage)
        {
            throw new InvalidOperationException($"The codec did not round-trip the user message: {error} ({Encoding.UTF8.GetString(_userLine)})");
        }
    }

    [Benchmark]
    public byte[] EncodeHeartbeat() => IpcCodec.Encode(_heartbeat);

    [Benchmark]
    public byte[] EncodeListenResponse() => IpcCodec.Encode(_listenResponse);

    [Benchmark]
    public byte[] EncodeUserMessage() => IpcCodec.Encode(_user);

    [Benchmark]
    public object? DecodeHeartbeat() => Decode(_heartbeatLine);

    [Benchmark]
    public object? DecodeListenResponse() => Decode(_listenResponseLine);

    [Benchmark]
    public object? DecodeUserMessage() => Decode(_userLine);

    [Benchmark(Description = "split 10 lines from one read (IpcFrameReader.Feed)")]
    public int SplitTenLines()
    {
        _frames.Clear();
        _reader.Feed(_stream, _frames);
        return _frames.Count;
    }

    private static byte[] Line(IpcMessage message) => IpcCodec.Encode(message)[..^1];

    private static object? Decode(byte[] line) => IpcCodec.TryDecode(line, out var message, out _) ? message : null;
}
