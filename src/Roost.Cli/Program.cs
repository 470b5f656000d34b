using System.CommandLine;
using Roost.Cli.Commands;
using Roost.Cli.Configuration;

namespace Roost.Cli;

/// <summary>Entry point of the <c>roost</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> Main(string[] args)
    {
        // Before anything touches the console: the runtime records SIGINT's disposition then (docs/deploy.md, "Signals").
        Cluster.TakeInheritedInterrupt();
        return RunAsync(args, new InvocationConfiguration());
    }

    /// <summary>Parses and runs; parse errors print one <c>error:</c> line each and return <see cref="ExitCodes.InvalidUsage"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="configuration">Where output goes (tests pass writers).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parse = BuildCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await configuration.Error.WriteLineAsync($"error: {WithSuggestion(error.Message, parse)}").ConfigureAwait(false);
            }

            await configuration.Error.WriteLineAsync("Run 'roost --help' for usage.").ConfigureAwait(false);
            return ExitCodes.InvalidUsage;
        }

        // The server handles SIGINT/SIGTERM itself (graceful drain up to the shutdown timeout); System.CommandLine's
        // own termination handling would end the process after 2 s.
        configuration.ProcessTerminationTimeout = null;
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds "did you mean --port?" to System.CommandLine's message for a mistyped option.</summary>
    internal static string WithSuggestion(string message, ParseResult parse)
    {
        const string Unrecognized = "Unrecognized command or argument '";
        if (!message.StartsWith(Unrecognized, StringComparison.Ordinal) || message[Unrecognized.Length..].TrimEnd('.', '\'') is not ['-', ..] token)
        {
            return message;
        }

        var names = parse.CommandResult.Command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
        return DidYouMean.Suggest(token, names) is { } suggestion ? $"{message} Did you mean {suggestion}?" : message;
    }

    /// <summary>Builds the command tree (also used by tests to check parsing and help).</summary>
    /// <returns>The root command.</returns>
    public static RootCommand BuildCommand() => BuildCommand(SettingsEnvironment.Process);

    /// <summary>Builds the command tree reading settings from <paramref name="environment"/> (tests pass their own variables).</summary>
    internal static RootCommand BuildCommand(SettingsEnvironment environment)
    {
        var root = new RootCommand(
            "Roost: HTTPS + HTTP/2 servers for .NET, the way Node's https, http2 and cluster modules work.\n" + ExitCodes.HelpText)
        {
            ServeCommand.Create(environment),
            RunCommand.Create(environment),
            ConfigCommand.Create(environment),
            SystemdUnitCommand.Create(environment),
            CertCommand.Create(),
            StatusCommand.Create(),
            TopCommand.Create(),
            ReloadCommand.Create(),
            ScaleCommand.Create(),
            StopCommand.Create(),
        };
        BuildInfo.UseForVersionOption(root);
        return root;
    }
}
