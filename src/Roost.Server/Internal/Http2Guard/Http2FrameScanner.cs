namespace Roost.Server.Internal.Http2Guard;

/// <summary>
/// Follows the frame boundaries of one direction of an HTTP/2 connection as its bytes go by, reading only the 9-byte
/// frame headers (RFC 9113 §4.1) and skipping payloads without looking at them: the frame layer stays Kestrel's, this
/// only counts. Headers split over reads are put together in a 9-byte buffer.
/// </summary>
internal struct Http2FrameScanner
{
    /// <summary>The length of an HTTP/2 frame header.</summary>
    public const int HeaderLength = 9;

    // Bytes of the current frame's payload (or of the client preface) still to pass.
    private long _skip;
    private int _headerFilled;
    // The first 5 header bytes (length, type, flags), then the 4 of the stream id.
    private ulong _head;
    private uint _stream;

    /// <summary>Creates a scanner that first passes <paramref name="prefaceLength"/> bytes (the client's 24-byte preface on input).</summary>
    public Http2FrameScanner(int prefaceLength) => _skip = prefaceLength;

    /// <summary>Gets a value indicating whether the bytes scanned so far end exactly at a frame boundary.</summary>
    public readonly bool AtFrameBoundary => _skip == 0 && _headerFilled == 0;

    /// <summary>Gets how many complete frame headers were scanned.</summary>
    public long Frames { get; private set; }

    /// <summary>
    /// Scans <paramref name="bytes"/>; for each frame header completed in it, calls <paramref name="onFrame"/>. When
    /// that returns <see langword="false"/>, stops and returns the index in <paramref name="bytes"/> where that frame's
    /// header starts (0 when it started in an earlier span); otherwise returns -1.
    /// </summary>
    public int Scan<TSink>(ReadOnlySpan<byte> bytes, ref TSink onFrame)
        where TSink : struct, IFrameSink
    {
        var index = 0;
        while (index < bytes.Length)
        {
            if (_skip > 0)
            {
                var take = (int)Math.Min(_skip, bytes.Length - index);
                _skip -= take;
                index += take;
                continue;
            }

            var headerStart = index - _headerFilled;
            while (_headerFilled < HeaderLength && index < bytes.Length)
            {
                if (_headerFilled < 5)
                {
                    _head = (_head << 8) | bytes[index];
                }
                else
                {
                    _stream = (_stream << 8) | bytes[index];
                }

                index++;
                _headerFilled++;
            }

            if (_headerFilled < HeaderLength)
            {
                break;
            }

            // length (24 bits) | type (8) | flags (8), then R + stream id (32)
            var length = (int)(_head >> 16);
            var type = (byte)(_head >> 8);
            var flags = (byte)_head;
            var streamId = (int)(_stream & 0x7FFF_FFFF);
            _headerFilled = 0;
            _head = 0;
            _stream = 0;
            _skip = length;
            Frames++;
            if (!onFrame.OnFrame(type, flags, streamId, length))
            {
                return Math.Max(headerStart, 0);
            }
        }

        return -1;
    }

    /// <summary>Receives the frame headers a <see cref="Http2FrameScanner"/> finds.</summary>
    public interface IFrameSink
    {
        /// <summary>Called for each frame header; return <see langword="false"/> to stop at this frame.</summary>
        bool OnFrame(byte type, byte flags, int streamId, int length);
    }
}
