namespace Roost.Acme;

/// <summary>
/// The lock file of one managed certificate: held (an exclusive <c>flock</c>, which .NET takes for
/// <see cref="FileShare.None"/> on Unix) by the instance that orders and renews these names, so two instances on one
/// host never order the same names twice. The kernel drops the lock when the process exits, even on a crash.
/// </summary>
internal sealed class AcmeLock : IDisposable
{
    private readonly FileStream _file;

    private AcmeLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or returns <see langword="null"/> with the holder's pid as written in the file (0 if unknown).</summary>
    public static AcmeLock? TryTake(string path, out int holderPid)
    {
        holderPid = 0;
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
            file.Write(pid);
            file.Flush();
            return new AcmeLock(file);
        }
        catch (IOException)
        {
            // Held by another process: read its pid (written after it took the lock) for the message.
            try
            {
                holderPid = int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : 0;
            }
            catch (IOException)
            {
                // Unreadable: the message says "another process".
            }

            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
