using System.Diagnostics;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>How to run "the same program again" (Node's <c>process.execPath</c> + <c>process.argv</c>).</summary>
internal static class WorkerCommand
{
    /// <summary>
    /// Builds the start info: an apphost (<c>./app</c>) runs itself; a program started as <c>dotnet app.dll</c> runs
    /// <c>dotnet app.dll</c> again (the process path is then the dotnet host and argument 0 is the dll).
    /// </summary>
    public static ProcessStartInfo Create()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown; cannot start a worker.");
        var args = Environment.GetCommandLineArgs();
        var info = new ProcessStartInfo(processPath)
        {
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };

        var host = Path.GetFileNameWithoutExtension(processPath);
        if (string.Equals(host, "dotnet", StringComparison.OrdinalIgnoreCase) && args.Length > 0)
        {
            // Argument 0 is the entry dll (a full path) under the dotnet host.
            info.ArgumentList.Add(args[0]);
        }

        foreach (var argument in args.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
