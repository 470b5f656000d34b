using System.CommandLine;
using Roost.SharedState;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>--state redis://host:port | sqlite:FOLDER</c>: where the workers' shared sessions, cache and Data Protection
/// keys live. A CLI-side parser for now (TODO(lead): switch to the public parser in Roost.SharedState when it lands).
/// </summary>
internal static class StateOption
{
    private const string SqlitePrefix = "sqlite:";

    public static Option<string?> Create() => new("--state")
    {
        Description = "Share sessions, IDistributedCache and the Data Protection key ring between workers: sqlite:FOLDER (embedded store, one machine; FOLDER holds state.db and keys/) or redis://host:port (several machines). Default: off (the app keeps its own per-process cache).",
    };

    /// <summary>Parses the value; relative SQLite folders are resolved against the current directory (workers run in the app's folder).</summary>
    /// <exception cref="ArgumentException">The value is neither form; the message names the option and the value.</exception>
    public static SharedStateOptions Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = value[(value.IndexOf("//", StringComparison.Ordinal) + 2)..];
            if (rest.Length == 0 || rest.StartsWith(':') || rest.StartsWith('/'))
            {
                throw new ArgumentException(RunErrorMessages.StateInvalid(value), nameof(value));
            }

            return new SharedStateOptions { Redis = value };
        }

        if (value.StartsWith(SqlitePrefix, StringComparison.OrdinalIgnoreCase) && value.Length > SqlitePrefix.Length)
        {
            return new SharedStateOptions { Directory = Path.GetFullPath(value[SqlitePrefix.Length..]) };
        }

        throw new ArgumentException(RunErrorMessages.StateInvalid(value), nameof(value));
    }
}
