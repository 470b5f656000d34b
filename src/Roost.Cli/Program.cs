using System.CommandLine;
using Roost.Cli.Commands;

namespace Roost.Cli;

/// <summary>Entry point of the <c>roost</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> Main(string[] args)
    {
        var root = BuildCommand();

        // The server handles SIGINT/SIGTERM itself (graceful drain up to the shutdown timeout); System.CommandLine's
        // own termination handling would end the process after 2 s.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return root.Parse(args).InvokeAsync(configuration);
    }

    /// <summary>Builds the command tree (also used by tests to check parsing and help).</summary>
    /// <returns>The root command.</returns>
    public static RootCommand BuildCommand()
    {
        var root = new RootCommand(
            "Roost: HTTPS + HTTP/2 servers for .NET, the way Node's https, http2 and cluster modules work.\n" + ExitCodes.HelpText)
        {
            ServeCommand.Create(),
            CertCommand.Create(),
        };
        return root;
    }
}
