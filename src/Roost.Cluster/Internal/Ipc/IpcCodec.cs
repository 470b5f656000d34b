using System.Text.Json;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Turns messages into lines and lines into messages. A line is one UTF-8 JSON object followed by <c>\n</c>;
/// System.Text.Json never writes a raw newline inside a compact value, so the newline is an unambiguous frame end
/// and a malformed line costs only itself (the reader resynchronises at the next newline).
/// </summary>
internal static class IpcCodec
{
    /// <summary>The default largest line accepted: 1 MiB.</summary>
    public const int DefaultMaxMessageBytes = 1024 * 1024;

    public static byte[] Encode(IpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var json = JsonSerializer.SerializeToUtf8Bytes(message, IpcJsonContext.Default.IpcMessage);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>Decodes one line (without its newline); returns <see langword="false"/> with a reason when it is not a message.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> line, out IpcMessage? message, out string? error)
    {
        try
        {
            message = JsonSerializer.Deserialize(line, IpcJsonContext.Default.IpcMessage);
        }
        catch (JsonException ex)
        {
            // Not JSON, an unknown "type", or a field of the wrong shape: the caller logs and drops it.
            message = null;
            error = ex.Message;
            return false;
        }
        catch (NotSupportedException ex)
        {
            // A line without a "type" discriminator lands on the abstract base type.
            message = null;
            error = ex.Message;
            return false;
        }

        if (message is null)
        {
            error = "the line is JSON null, not a message object";
            return false;
        }

        if (HasSurrogateEscape(line) && !CanEncode(message, out error))
        {
            message = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// A JSON string may escape a lone UTF-16 surrogate (<c>"\uDEBF"</c>): the reader takes it, the writer refuses it,
    /// so such a message would fail later, where it is forwarded (the primary's broadcast fan-out; found by fuzzing).
    /// It is refused here instead, while it is still one bad line. Only lines with a <c>\uD…</c> escape pay for the check.
    /// </summary>
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> line)
    {
        while (line.IndexOf("\\u"u8) is var at and >= 0)
        {
            line = line[(at + 2)..];
            if (!line.IsEmpty && (line[0] | 0x20) == 'd')
            {
                return true;
            }
        }

        return false;
    }

    private static bool CanEncode(IpcMessage message, out string? error)
    {
        try
        {
            JsonSerializer.SerializeToUtf8Bytes(message, IpcJsonContext.Default.IpcMessage);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Invalid UTF-16 in a string or payload: it could not be sent on, so it is not taken in.
            error = $"the message cannot be re-encoded: {ex.Message}";
            return false;
        }
    }
}
