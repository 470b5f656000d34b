namespace Roost.SharedState.Internal;

/// <summary>Creates the store's folders (mode 0700) and files (mode 0600) so no other user can read sessions or keys.</summary>
internal static class SecureFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void EnsureDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            // Parents are created with this mode too; the umask can only remove bits, which is fine.
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    public static void EnsureFile(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        EnsureDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            // An empty file is a valid empty SQLite database; creating it ourselves is what sets the mode.
            using var stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }
}
