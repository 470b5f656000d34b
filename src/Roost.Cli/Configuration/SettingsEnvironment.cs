namespace Roost.Cli.Configuration;

/// <summary>What settings are read from besides the command line: the environment variables and the working directory (for <c>./roost.json</c>).</summary>
/// <param name="GetVariable">Reads an environment variable (<see langword="null"/> when not set).</param>
/// <param name="GetCurrentDirectory">Returns the working directory.</param>
internal sealed record SettingsEnvironment(Func<string, string?> GetVariable, Func<string> GetCurrentDirectory)
{
    /// <summary>The variable that names the configuration file when --config is not given.</summary>
    public const string ConfigVariable = "ROOST_CONFIG";

    /// <summary>Gets this process's environment and working directory.</summary>
    public static SettingsEnvironment Process { get; } = new(Environment.GetEnvironmentVariable, () => Environment.CurrentDirectory);
}
