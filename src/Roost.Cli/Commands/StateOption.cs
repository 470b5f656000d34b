using Roost.SharedState;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>state</c> (<c>--state</c>) <c>redis://host:port | sqlite:FOLDER</c>: where the workers' shared sessions, cache and Data Protection
/// keys live.
/// </summary>
internal static class StateOption
{
    /// <summary>Parses the value with <see cref="SharedStateOptions.TryParse"/>; relative SQLite folders are resolved against the current directory (workers run in the app's folder).</summary>
    /// <exception cref="ArgumentException">The value is neither form; the message names the option, the value and the reason.</exception>
    public static SharedStateOptions Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!SharedStateOptions.TryParse(value, out var options, out var error))
        {
            throw new ArgumentException($"{RunErrorMessages.StateInvalid(value)} {error}", nameof(value));
        }

        if (options!.Redis is null)
        {
            options.Directory = Path.GetFullPath(options.Directory);
        }

        return options;
    }
}
