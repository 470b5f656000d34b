using Roost.Testing;

namespace Roost.Packaging.Tests;

/// <summary>
/// Runs the <c>dotnet</c> CLI as a user's shell would: bounded in time, no build servers left behind, and without the
/// MSBuild variables <c>dotnet test</c> sets for its own process (they would point a nested build at this SDK run).
/// </summary>
public static class DotnetCommand
{
    private static readonly string[] RemovedVariables =
    [
        "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly",
        "MSBUILDNOINPROCNODE", "DOTNET_STARTUP_HOOKS", "VSTEST_HOST_DEBUG", "VSTEST_RUNNER_DEBUG",
    ];

    /// <summary>The environment for a nested <c>dotnet</c>: first-run noise and build servers off, plus <paramref name="extra"/>.</summary>
    public static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["UseSharedCompilation"] = "false",
        };
        foreach (var name in RemovedVariables)
        {
            environment[name] = null;
        }

        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                environment[key] = value;
            }
        }

        return environment;
    }

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c>; fails with the command and its output unless it exits with 0.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var list = arguments.ToList();
        var (exitCode, output) = await TestProcess.RunAsync("dotnet", list, timeout, workingDirectory, Environment(environment));
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"dotnet {string.Join(' ', list)} (in {workingDirectory}) exited with code {exitCode}. Output:\n{output}");
        }

        return output;
    }
}
