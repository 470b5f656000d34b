using System.Text;

namespace Roost.Tls.Resumption;

/// <summary>
/// An operator-managed session ticket key file, for several machines behind one load balancer: one key per line, each
/// the base64 of 80 bytes (16 name, 32 HMAC, 32 AES; e.g. <c>head -c 80 /dev/urandom | base64 -w0</c>), the first line
/// encrypts, the others only decrypt; empty lines and lines starting with <c>#</c> are skipped. It must be readable by
/// its owner only (mode 0600 or 0400), like an SSH key. See docs/tls.md.
/// </summary>
internal static class TicketKeyFile
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Reads the ring; throws <see cref="InvalidOperationException"/> naming the file, the line and what to do.</summary>
    /// <param name="path">The file, as the operator gave it.</param>
    /// <param name="generation">The ring's generation (how many times the file was read).</param>
    /// <param name="option">The option that named the file, for messages.</param>
    public static TicketKeyRing Load(string path, long generation, string option)
    {
        string[] lines;
        try
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
            {
                throw new InvalidOperationException(ErrorMessages.TicketKeyFileTooOpen(path, option, File.GetUnixFileMode(path)));
            }

            lines = File.ReadAllLines(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(ErrorMessages.TicketKeyFileUnreadable(path, option, ex.Message), ex);
        }

        List<TicketKey> keys = [];
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            // The line's content is a secret: the message gives its number and length, never its text.
            var bytes = new byte[(line.Length * 3 / 4) + 3];
            if (!Convert.TryFromBase64String(line, bytes, out var written) || TicketKey.FromBytes(bytes.AsSpan(0, written)) is not { } key)
            {
                throw new InvalidOperationException(ErrorMessages.TicketKeyFileBadLine(path, option, i + 1, line.Length));
            }

            keys.Add(key);
        }

        return keys.Count == 0
            ? throw new InvalidOperationException(ErrorMessages.TicketKeyFileEmpty(path, option))
            : new TicketKeyRing(keys, generation);
    }
}
