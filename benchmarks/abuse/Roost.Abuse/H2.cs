using System.Buffers.Binary;
using System.Text;

namespace Roost.Abuse;

/// <summary>
/// The few pieces of HTTP/2 (RFC 9113) and HPACK (RFC 7541) the attacks need: frames written byte by byte, and a
/// reader that remembers GOAWAY, RST_STREAM and response status codes. Deliberately not a client library.
/// </summary>
public static class H2
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;
    public const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    /// <summary>The client connection preface followed by an empty SETTINGS frame.</summary>
    public static byte[] Preface() => [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, .. Frame(Settings, 0, 0, [])];

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId & int.MaxValue);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] RstStreamFrame(int streamId, int errorCode)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, errorCode);
        return Frame(RstStream, 0, streamId, payload);
    }

    /// <summary>HPACK block of a GET (or another method) on <paramref name="path"/>: static-table references and literals without indexing.</summary>
    public static byte[] RequestBlock(string authority, string method = "GET", string path = "/", params (string Name, string Value)[] extra)
    {
        var block = new List<byte>();
        block.Add(method == "GET" ? (byte)0x82 : (byte)0x83); // :method GET (2) / POST (3)
        block.Add(0x87); // :scheme https (7)
        if (path == "/")
        {
            block.Add(0x84); // :path / (4)
        }
        else
        {
            LiteralIndexedName(block, 4, path);
        }

        LiteralIndexedName(block, 1, authority); // :authority (1)
        foreach (var (name, value) in extra)
        {
            Literal(block, name, value, incrementalIndexing: false);
        }

        return [.. block];
    }

    /// <summary>A literal header field with a new name (§6.2.1 with indexing, §6.2.2 without).</summary>
    public static void Literal(List<byte> block, string name, string value, bool incrementalIndexing)
    {
        block.Add(incrementalIndexing ? (byte)0x40 : (byte)0x00);
        String(block, name);
        String(block, value);
    }

    /// <summary>An indexed header field (§6.1): one entry of the static (1–61) or dynamic (62…) table.</summary>
    public static void Indexed(List<byte> block, int index) => Integer(block, 0x80, 7, index);

    private static void LiteralIndexedName(List<byte> block, int nameIndex, string value)
    {
        Integer(block, 0x00, 4, nameIndex); // literal without indexing, indexed name
        String(block, value);
    }

    private static void String(List<byte> block, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        Integer(block, 0x00, 7, bytes.Length); // H = 0: no Huffman
        block.AddRange(bytes);
    }

    /// <summary>HPACK integer (§5.1) with an <paramref name="prefixBits"/>-bit prefix after the pattern bits <paramref name="first"/>.</summary>
    public static void Integer(List<byte> block, byte first, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(first | value));
            return;
        }

        block.Add((byte)(first | max));
        value -= max;
        while (value >= 128)
        {
            block.Add((byte)((value & 0x7f) | 0x80));
            value >>= 7;
        }

        block.Add((byte)value);
    }

    /// <summary>The RFC 9113 §7 name of an error code.</summary>
    public static string ErrorName(int code) => code switch
    {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        _ => $"0x{code:x}",
    };

    /// <summary>
    /// The :status of a response header block when it is its first field (what Kestrel, nginx and Node send): an
    /// indexed static entry (8–14) or a literal with the static name 8, plain or Huffman-coded (digits only).
    /// </summary>
    public static string? Status(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty)
        {
            return null;
        }

        var b = block[0];
        if ((b & 0x80) != 0)
        {
            return (b & 0x7f) switch { 8 => "200", 9 => "204", 10 => "206", 11 => "304", 12 => "400", 13 => "404", 14 => "500", _ => null };
        }

        // Literal with incremental indexing (01xxxxxx, 6-bit index) or without / never indexed (000xxxxx, 4-bit index).
        var index = (b & 0x40) != 0 ? b & 0x3f : b & 0x0f;
        if (index != 8 || block.Length < 2)
        {
            return null;
        }

        var huffman = (block[1] & 0x80) != 0;
        var length = block[1] & 0x7f;
        if (block.Length < 2 + length)
        {
            return null;
        }

        var value = block.Slice(2, length);
        return huffman ? HuffmanDigits(value) : Encoding.ASCII.GetString(value);
    }

    // RFC 7541 Appendix B for '0'–'9': 0,1,2 are 5 bits (00000, 00001, 00010); 3–9 are 6 bits (011001…011111).
    private static string? HuffmanDigits(ReadOnlySpan<byte> value)
    {
        var bits = 0UL;
        var count = 0;
        var text = new StringBuilder();
        foreach (var v in value)
        {
            bits = (bits << 8) | v;
            count += 8;
            while (count >= 6 || (count >= 5 && (bits >> (count - 5) & 0x1f) <= 2))
            {
                var five = (int)(bits >> (count - 5)) & 0x1f;
                if (five <= 2)
                {
                    text.Append((char)('0' + five));
                    count -= 5;
                }
                else
                {
                    var six = (int)(bits >> (count - 6)) & 0x3f;
                    if (six is < 0b011001 or > 0b011111)
                    {
                        return text.Length == 3 ? text.ToString() : null; // padding (all ones) or not a digit
                    }

                    text.Append((char)('3' + six - 0b011001));
                    count -= 6;
                }

                if (text.Length == 3)
                {
                    return text.ToString();
                }
            }
        }

        return text.Length == 3 ? text.ToString() : null;
    }
}
