using System.Text;

namespace Roost.Clustering.Internal;

/// <summary>
/// A console writer that hands each line to its file descriptor in ONE <c>write(2)</c>. The primary and its workers
/// share one stdout and stderr (inherited, as in Node, PM2 and gunicorn); <see cref="Console.Out"/>'s own writer
/// flushes every 256 characters, so a longer line left in several writes and another process's line could land
/// inside it. This writer keeps text until a line ends and then writes every complete line of the call at once:
/// a line of up to PIPE_BUF (4096) bytes is atomic on a pipe, and for files and terminals one write per line is what
/// nginx and gunicorn do. A text without a line end waits for the next line end, <see cref="Flush"/> or
/// <see cref="MaxPending"/> characters.
/// </summary>
internal sealed class LineAtomicWriter(Stream output) : TextWriter
{
    /// <summary>Pending text beyond this many characters is written even without a line end (a runaway partial line).</summary>
    internal const int MaxPending = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly Lock InstallGate = new();
    private static bool _installed;

    private readonly StringBuilder _pending = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Utf8;

    /// <summary>
    /// Replaces <see cref="Console.Out"/> and <see cref="Console.Error"/> with line-atomic writers on the process's
    /// stdout and stderr (once per process). Loggers that capture <see cref="Console.Out"/> when they are created
    /// (Microsoft's console logger does) must be created afterwards: the cluster calls this as soon as it knows its role.
    /// </summary>
    public static void InstallForConsole()
    {
        lock (InstallGate)
        {
            if (_installed)
            {
                return;
            }

            _installed = true;
            Console.SetOut(new LineAtomicWriter(Console.OpenStandardOutput()));
            Console.SetError(new LineAtomicWriter(Console.OpenStandardError()));
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            _pending.Append(value);
            if (value == '\n' || _pending.Length >= MaxPending)
            {
                WritePending(_pending.Length);
            }
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            _pending.Append(buffer);
            var lastLineEnd = buffer.LastIndexOf('\n');
            if (_pending.Length >= MaxPending)
            {
                WritePending(_pending.Length);
            }
            else if (lastLineEnd >= 0)
            {
                // Every complete line of this call in one write; a trailing partial line waits for its end.
                WritePending(_pending.Length - (buffer.Length - lastLineEnd - 1));
            }
        }
    }

    public override void WriteLine(string? value)
    {
        // TextWriter's WriteLine(string) is two calls (the text, then the line end); one call writes them together.
        lock (_gate)
        {
            _pending.Append(value);
            _pending.Append(CoreNewLine);
            WritePending(_pending.Length);
        }
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            _pending.Append(buffer);
            _pending.Append(CoreNewLine);
            WritePending(_pending.Length);
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            WritePending(_pending.Length);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    private void WritePending(int length)
    {
        if (length == 0)
        {
            return;
        }

        var text = _pending.ToString(0, length);
        _pending.Remove(0, length);
        var bytes = Utf8.GetBytes(text);
        try
        {
            // One Write of the whole buffer: the console stream issues one write(2), repeated only for what a
            // partial write (a full pipe past PIPE_BUF, a signal) left over.
            output.Write(bytes);
        }
        catch (IOException)
        {
            // Nobody reads the other end any more (EPIPE): a console line is not worth a crash, as with Console's own writer.
        }
    }
}
