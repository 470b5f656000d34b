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
            return;
        }

        // CreateDirectory(path, mode) gives missing parents the default mode: create them one by one, so every
        // folder this store creates is 0700 (the umask can only remove bits).
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { } parent && !Directory.Exists(parent))
        {
            EnsureDirectory(parent);
        }

        Directory.CreateDirectory(full, FolderMode);
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
