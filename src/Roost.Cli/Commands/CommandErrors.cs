namespace Roost.Cli.Commands;

/// <summary>How every command reports an error: one <c>error:</c> line per problem on stderr, then its exit code.</summary>
internal static class CommandErrors
{
    /// <summary>Prints <paramref name="message"/> (one <c>error:</c> line per line of it) and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(string message, int exitCode)
    {
        // A certificate check can report several errors, one per line.
        foreach (var line in message.Split('\n'))
        {
            Console.Error.WriteLine($"error: {line}");
        }

        return exitCode;
    }
}
