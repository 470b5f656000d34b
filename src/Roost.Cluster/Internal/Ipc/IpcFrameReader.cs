namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// Splits a byte stream into lines, refusing lines longer than a limit: an oversized line is skipped up to its
/// newline and reported once, so a runaway sender can neither exhaust memory nor desynchronise the channel.
/// </summary>
internal sealed class IpcFrameReader(int maxMessageBytes)
{
    private readonly MemoryStream _pending = new();
    private bool _discarding;
    private long _discardedBytes;

    /// <summary>A complete line, or an oversized one that was dropped (then <see cref="Line"/> is empty).</summary>
    public readonly record struct Frame(byte[] Line, bool Oversized, long Length);

    public int MaxMessageBytes => maxMessageBytes;

    public void Feed(ReadOnlySpan<byte> data, List<Frame> frames)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var chunk = newline < 0 ? data : data[..newline];
            if (_discarding)
            {
                _discardedBytes += chunk.Length;
            }
            else if (_pending.Length + chunk.Length > maxMessageBytes)
            {
                _discarding = true;
                _discardedBytes = _pending.Length + chunk.Length;
                _pending.SetLength(0);
            }
            else
            {
                _pending.Write(chunk);
            }

            if (newline < 0)
            {
                return;
            }

            if (_discarding)
            {
                frames.Add(new Frame([], true, _discardedBytes));
                _discarding = false;
                _discardedBytes = 0;
            }
            else if (_pending.Length > 0)
            {
                frames.Add(new Frame(_pending.ToArray(), false, _pending.Length));
                _pending.SetLength(0);
            }

            data = data[(newline + 1)..];
        }
    }
}
