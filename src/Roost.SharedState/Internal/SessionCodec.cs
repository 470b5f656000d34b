using System.Text;

namespace Roost.SharedState.Internal;

/// <summary>The stored form of a façade session: a version byte, then count and UTF-8 key/value pairs.</summary>
internal static class SessionCodec
{
    private const byte Version = 1;

    public static byte[] Encode(IReadOnlyDictionary<string, string> values)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write7BitEncodedInt(values.Count);
            foreach (var (key, value) in values)
            {
                writer.Write(key);
                writer.Write(value);
            }
        }

        return stream.ToArray();
    }

    public static Dictionary<string, string> Decode(byte[]? data)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (data is null || data.Length == 0 || data[0] != Version)
        {
            // Absent, or written by something else: start empty rather than fail the request.
            return values;
        }

        using var reader = new BinaryReader(new MemoryStream(data, 1, data.Length - 1), Encoding.UTF8);
        var count = reader.Read7BitEncodedInt();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            values[key] = reader.ReadString();
        }

        return values;
    }
}
