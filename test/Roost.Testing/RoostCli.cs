namespace Roost.Testing;

/// <summary>
/// How tests start the <c>roost</c> command: <c>dotnet roost.dll</c> from the solution build, or — when the
/// <c>ROOST_CLI</c> environment variable names a native (NativeAOT) roost, as <c>.ci/run</c> does after publishing
/// one — that binary, so the same tests check the native build.
/// </summary>
public static class RoostCli
{
    /// <summary>The environment variable naming a native roost to test instead of roost.dll.</summary>
    public const string Variable = "ROOST_CLI";

    /// <summary>The native roost named by <see cref="Variable"/> (full path), or <see langword="null"/> for the JIT build.</summary>
    public static string? Native =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>True when the tests run the native roost.</summary>
    public static bool IsNative => Native is not null;

    /// <summary>roost.dll of the solution build.</summary>
    public static string Dll => RepoPaths.ProjectDll("src", "Roost.Cli", "roost");

    /// <summary>The startup hook roost run gives its workers: next to roost.dll, or in hook/ beside a native roost.</summary>
    public static string HookPath => Native is { } native
        ? Path.Combine(Path.GetDirectoryName(native)!, "hook", "Roost.StartupHook.dll")
        : Path.Combine(Path.GetDirectoryName(Dll)!, "Roost.StartupHook.dll");

    /// <summary>The program to start and the arguments that come before roost's own.</summary>
    public static (string FileName, string[] Prefix) Command
    {
        get
        {
            if (Native is { } native)
            {
                if (!File.Exists(native))
                {
                    throw new InvalidOperationException($"{Variable}='{native}' does not exist. Publish it first: dotnet publish src/Roost.Cli -c Release -r linux-x64 -o out/roost");
                }

                return (native, []);
            }

            return ("dotnet", [Dll]);
        }
    }

    /// <summary>Starts <c>roost <paramref name="arguments"/></c>.</summary>
    public static TestProcess Start(IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, string name = "roost")
    {
        var (fileName, prefix) = Command;
        return TestProcess.Start(fileName, [.. prefix, .. arguments], workingDirectory, environment, name);
    }

    /// <summary>
    /// Starts <c>roost <paramref name="arguments"/></c> with the signals named in <paramref name="ignored"/> (e.g. "HUP",
    /// "INT") ignored, inherited through exec: the way <c>nohup</c> (SIGHUP) and a script's <c>cmd &amp;</c> (SIGINT,
    /// SIGQUIT) start programs. perl sets the dispositions and execs roost, so the pid is roost's.
    /// </summary>
    public static TestProcess StartWithIgnoredSignals(IEnumerable<string> ignored, IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Command;
        var script = string.Concat(ignored.Select(s => $"$SIG{{{s}}} = 'IGNORE'; ")) + "exec @ARGV or die \"exec $ARGV[0]: $!\"";
        return TestProcess.Start("perl", ["-e", script, "--", fileName, .. prefix, .. arguments], name: "roost");
    }

    /// <summary>Runs <c>roost <paramref name="arguments"/></c> to completion; killed after <paramref name="timeout"/>.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var (fileName, prefix) = Command;
        return TestProcess.RunAsync(fileName, [.. prefix, .. arguments], timeout, workingDirectory, environment);
    }

    /// <summary>Starts <c>roost <paramref name="arguments"/></c> as an unprivileged user (see <see cref="UnprivilegedProcess"/>).</summary>
    public static TestProcess StartUnprivileged(IEnumerable<string> arguments, TempDirectory workspace) =>
        Native is { } native
            ? UnprivilegedProcess.StartProgram(native, arguments, workspace)
            : UnprivilegedProcess.StartDotnet(Dll, arguments, workspace);
}
