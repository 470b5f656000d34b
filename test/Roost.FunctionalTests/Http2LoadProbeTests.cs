using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;

namespace Roost.FunctionalTests;

/// <summary>
/// The availability probes' HTTP/2 client classifies what a draining server says exactly as RFC 9113 §6.8/§8.7 allow,
/// against a hand-written h2c server (raw frames on a loopback socket) that says it on demand.
/// </summary>
public sealed class Http2LoadProbeTests
{
    private const byte FrameData = 0, FrameHeaders = 1, FrameRstStream = 3, FrameSettings = 4, FrameGoAway = 7;

    // Verifies: 4 connections in a row end with GOAWAY below the stream (SocketsHttpHandler retries 3 times, then throws
    // "closed the connection … NO_ERROR"), and 4 refuse the stream: the probe sends the request again and the answer on
    // the next connection counts as ok, the extra attempts as retried, nothing as failed.
    [Theory]
    [InlineData(RawH2Reply.GoAwayBelow)]
    [InlineData(RawH2Reply.Refused)]
    public async Task UnprocessedStream_BeyondTheHandlersRetries_IsSentAgainAndSucceeds(RawH2Reply notProcessed)
    {
        await using var server = new RawH2Server([notProcessed, notProcessed, notProcessed, notProcessed, RawH2Reply.Answer]);
        var probe = new Http2LoadProbe();

        await probe.OneAsync(server.Url).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(probe.Ok == 1 && probe.Failed == 0, $"ok {probe.Ok}, failed {probe.Failed}: {string.Join(" | ", probe.Errors)}");
        Assert.Equal(1, probe.Retried);
        Assert.Equal(5, server.Requests);
        Assert.Equal(notProcessed == RawH2Reply.Refused ? 1 : 5, server.Connections);
    }

    // Verifies: a stream the server may have processed (at or below the GOAWAY's last-stream-id, or reset with NO_ERROR
    // before any answer) is a failure, never sent again — a NO_ERROR code does not make a lost answer retryable.
    [Theory]
    [InlineData(RawH2Reply.GoAwayCovering)]
    [InlineData(RawH2Reply.ResetNoError)]
    public async Task PossiblyProcessedStream_EndingWithoutAnAnswer_IsAFailureNotRetried(RawH2Reply lost)
    {
        await using var server = new RawH2Server([lost, RawH2Reply.Answer]);
        var probe = new Http2LoadProbe();

        await probe.OneAsync(server.Url).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, probe.Ok);
        Assert.Equal(1, probe.Failed);
        Assert.Equal(0, probe.Retried);
        Assert.Equal(1, server.Requests);
    }

    /// <summary>
    /// An h2c (prior knowledge) server that answers its Nth request (HEADERS frame, on any connection) as told; after
    /// anything but an answer or a refusal it closes that connection.
    /// </summary>
    private sealed class RawH2Server : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly RawH2Reply[] _replies;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;
        private int _requests;

        public RawH2Server(RawH2Reply[] replies)
        {
            _replies = replies;
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            _accepting = AcceptAsync();
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/";

        public int Connections => Volatile.Read(ref _connections);

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(socket);
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            using var stream = new NetworkStream(socket, ownsSocket: false);
            try
            {
                var preface = new byte[24];
                await stream.ReadExactlyAsync(preface, _stop.Token);
                await WriteFrameAsync(stream, FrameSettings, 0, 0, []);
                var header = new byte[9];
                while (true)
                {
                    await stream.ReadExactlyAsync(header, _stop.Token);
                    var length = (header[0] << 16) | (header[1] << 8) | header[2];
                    var type = header[3];
                    var flags = header[4];
                    var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
                    var payload = new byte[length];
                    await stream.ReadExactlyAsync(payload, _stop.Token);
                    if (type == FrameSettings && (flags & 1) == 0)
                    {
                        await WriteFrameAsync(stream, FrameSettings, 1, 0, []);
                    }
                    else if (type == FrameHeaders)
                    {
                        var reply = _replies[Math.Min(Interlocked.Increment(ref _requests) - 1, _replies.Length - 1)];
                        await ReplyAsync(stream, reply, streamId);
                        if (reply is not (RawH2Reply.Answer or RawH2Reply.Refused))
                        {
                            // Let the client read what was sent before the connection ends.
                            await Task.Delay(200, _stop.Token);
                            return;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException)
            {
                // The client closed the connection, or the test ended.
            }
        }

        private static async Task ReplyAsync(NetworkStream stream, RawH2Reply reply, int streamId)
        {
            switch (reply)
            {
                case RawH2Reply.GoAwayBelow:
                    await WriteGoAwayAsync(stream, lastStreamId: 0);
                    break;
                case RawH2Reply.GoAwayCovering:
                    await WriteGoAwayAsync(stream, lastStreamId: streamId);
                    break;
                case RawH2Reply.Refused:
                    await WriteFrameAsync(stream, FrameRstStream, 0, streamId, [0, 0, 0, 7]);
                    break;
                case RawH2Reply.ResetNoError:
                    await WriteFrameAsync(stream, FrameRstStream, 0, streamId, [0, 0, 0, 0]);
                    break;
                default:
                    // HPACK 0x88 = ":status: 200" (static table index 8); END_HEADERS, then "ok" with END_STREAM.
                    await WriteFrameAsync(stream, FrameHeaders, 4, streamId, [0x88]);
                    await WriteFrameAsync(stream, FrameData, 1, streamId, "ok"u8.ToArray());
                    break;
            }
        }

        private static Task WriteGoAwayAsync(NetworkStream stream, int lastStreamId)
        {
            var payload = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
            return WriteFrameAsync(stream, FrameGoAway, 0, 0, payload);
        }

        private static async Task WriteFrameAsync(NetworkStream stream, byte type, byte flags, int streamId, byte[] payload)
        {
            var frame = new byte[9 + payload.Length];
            frame[0] = (byte)(payload.Length >> 16);
            frame[1] = (byte)(payload.Length >> 8);
            frame[2] = (byte)payload.Length;
            frame[3] = type;
            frame[4] = flags;
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
            payload.CopyTo(frame, 9);
            await stream.WriteAsync(frame);
            await stream.FlushAsync();
        }
    }
}

/// <summary>What the raw h2c server of <see cref="Http2LoadProbeTests"/> does with a request.</summary>
public enum RawH2Reply
{
    /// <summary>GOAWAY with last-stream-id 0 (NO_ERROR), then close: the request was not processed.</summary>
    GoAwayBelow,

    /// <summary>RST_STREAM REFUSED_STREAM: not processed.</summary>
    Refused,

    /// <summary>GOAWAY whose last-stream-id covers the stream (NO_ERROR), then close without an answer: maybe processed, lost.</summary>
    GoAwayCovering,

    /// <summary>RST_STREAM NO_ERROR before any answer: maybe processed, lost.</summary>
    ResetNoError,

    /// <summary>200 "ok".</summary>
    Answer,
}
