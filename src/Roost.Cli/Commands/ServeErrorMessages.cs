namespace Roost.Cli.Commands;

/// <summary>Every message of <c>roost serve --root</c> (tests assert them). Paths are quoted as the user gave them.</summary>
internal static class ServeErrorMessages
{
    public static string AdminInvalid(string value) =>
        $"--admin must be PORT (on 127.0.0.1), HOST:PORT or [IPv6]:PORT with an IP address and a port from 0 to 65535; got '{value}'. Example: --admin 127.0.0.1:9090.";

    public static string AdminWithoutWorkers() =>
        "--admin needs workers: the admin listener runs in the primary, and --workers 0 has none. Use --workers 1 or more, or leave --admin out.";

    public static string AdminTlsIncomplete(string given, string missing, string path) =>
        $"{given} '{path}' needs {missing} too: the admin listener's certificate and its private key go together. Give both, or neither for plain HTTP.";

    public static string AdminTlsWithoutAdmin() =>
        "--admin-cert and --admin-key are for the admin listener, which is off. Add --admin PORT (or HOST:PORT), or leave them out.";

    public static string RootMissing(string path) =>
        $"Folder '{path}' (option --root) does not exist. Give the folder whose files to serve; relative paths are resolved against the working directory.";

    public static string RootNotADirectory(string path) =>
        $"'{path}' (option --root) is a file, not a folder. Give the folder that holds it (e.g. --root '{ParentOf(path)}'); its index.html is served for '/'.";

    public static string RootUnreadable(string path, string reason) =>
        $"Folder '{path}' (option --root) cannot be read: {reason} Make it readable (and searchable) by the user roost runs as.";

    public static string MaxBodySizeInvalid(string value) =>
        $"--max-body-size must be a size in bytes, optionally with k, m or g (e.g. 1m, 512k, 10485760), or 0 for no limit; got '{value}'.";

    private static string ParentOf(string path) => Path.GetDirectoryName(path) is { Length: > 0 } parent ? parent : ".";
}
