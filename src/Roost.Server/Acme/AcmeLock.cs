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

            // The holder's pid goes to a file of its own: .NET takes a shared flock to read any file, which the
            // exclusive lock refuses, so another instance could not read it from the lock file.
            AcmeStorage.WriteAtomically(path + ".pid", Environment.ProcessId + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return new AcmeLock(file);
        }
        catch (IOException)
        {
            // Held by another process: read its pid (written after it took the lock) for the message.
            try
            {
                holderPid = int.TryParse(File.ReadAllText(path + ".pid").Trim(), out var pid) ? pid : 0;
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
