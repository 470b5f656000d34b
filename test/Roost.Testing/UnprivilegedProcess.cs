using System.Runtime.InteropServices;

namespace Roost.Testing;

/// <summary>
/// Runs a built .NET program as an unprivileged user (nobody, uid/gid 65534) when the tests run as root, to observe
/// what a normal user sees (e.g. binding a port below 1024). The program's folder is copied to a temp folder readable
/// by all first, since the build output may sit under a folder the user cannot enter.
/// </summary>
public static partial class UnprivilegedProcess
{
    private const int Nobody = 65534;

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c> as nobody (or as the current user when it is not root).</summary>
    public static TestProcess StartDotnet(string dll, IEnumerable<string> arguments, TempDirectory workspace)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unprivileged processes are a Unix notion; skip the test on Windows.");
        }

        var dotnet = ExternalTool.Find("dotnet") ?? throw new InvalidOperationException("'dotnet' is not on PATH.");
        if (!IsRoot)
        {
            return TestProcess.StartDotnet(dll, arguments, workspace.Path);
        }

        var copy = CopyReadableByAll(Path.GetDirectoryName(dll)!, workspace);
        return StartAsNobody([dotnet, Path.Combine(copy, Path.GetFileName(dll)), .. arguments], workspace,
            Path.GetFileNameWithoutExtension(dll), ("DOTNET_NOLOGO", "1"));
    }

    /// <summary>Starts a native program (copied with the files beside it) as nobody, or as the current user when it is not root.</summary>
    public static TestProcess StartProgram(string program, IEnumerable<string> arguments, TempDirectory workspace)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unprivileged processes are a Unix notion; skip the test on Windows.");
        }

        if (!IsRoot)
        {
            return TestProcess.Start(program, arguments, workspace.Path);
        }

        var copy = CopyReadableByAll(Path.GetDirectoryName(program)!, workspace);
        var copied = Path.Combine(copy, Path.GetFileName(program));
        File.SetUnixFileMode(copied, File.GetUnixFileMode(copied) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return StartAsNobody([copied, .. arguments], workspace, Path.GetFileName(program));
    }

    /// <summary>Runs <paramref name="command"/> as nobody through setpriv, in and with HOME at the workspace.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static TestProcess StartAsNobody(IEnumerable<string> command, TempDirectory workspace, string name, params (string Name, string Value)[] variables)
    {
        var setpriv = ExternalTool.Require("setpriv", "util-linux");
        var environment = new Dictionary<string, string?> { ["HOME"] = workspace.Path };
        foreach (var (variable, value) in variables)
        {
            environment[variable] = value;
        }

        return TestProcess.Start(
            setpriv,
            [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", .. command],
            workspace.Path,
            environment,
            name: name + " (nobody)");
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CopyReadableByAll(string sourceDirectory, TempDirectory workspace)
    {
        const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

        // Directory.CreateTempSubdirectory makes the workspace 0700: open it up, then copy the program flat.
        System.IO.File.SetUnixFileMode(workspace.Path, Directory);
        var target = System.IO.Directory.CreateDirectory(workspace.File("program")).FullName;
        System.IO.File.SetUnixFileMode(target, Directory);
        foreach (var source in System.IO.Directory.EnumerateFiles(sourceDirectory))
        {
            var destination = Path.Combine(target, Path.GetFileName(source));
            System.IO.File.Copy(source, destination);
            System.IO.File.SetUnixFileMode(destination, File);
        }

        return target;
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
