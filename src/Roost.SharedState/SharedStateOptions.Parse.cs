using System.Globalization;

namespace Roost.SharedState;

/// <summary>Parsing a user's one-string choice of store (a CLI option, an environment variable, a config value).</summary>
public sealed partial class SharedStateOptions
{
    /// <summary>
    /// Turns a user string into options:
    /// <list type="bullet">
    /// <item><c>redis://[user:password@]host[:port][?timeout=5s&amp;app=NAME]</c> or <c>rediss://…</c> (TLS):
    /// Redis mode (port 6379 by default); <c>timeout</c> sets <see cref="RedisTimeout"/> (<c>500ms</c>, <c>5s</c>, or
    /// milliseconds), <c>app</c> sets <see cref="ApplicationName"/>;</item>
    /// <item><c>sqlite:FOLDER</c>, or a plain folder path: the embedded SQLite store in that folder
    /// (<see cref="Directory"/>).</item>
    /// </list>
    /// </summary>
    /// <param name="value">The string as the user gave it.</param>
    /// <returns>New options; the caller may still change them.</returns>
    /// <exception cref="ArgumentException">The value is empty or malformed; the message names the value, what is wrong and the accepted forms.</exception>
    public static SharedStateOptions Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var options, out var error) ? options! : throw new ArgumentException(error, nameof(value));
    }

    /// <summary>Same as <see cref="Parse(string)"/> without throwing.</summary>
    /// <param name="value">The string as the user gave it.</param>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <param name="error">Why it is not valid (the full user-facing message), or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is valid.</returns>
    public static bool TryParse(string? value, out SharedStateOptions? options, out string? error)
    {
        options = null;
        error = null;
        var text = value?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            error = ErrorMessages.StateValueInvalid(text, "it is empty");
            return false;
        }

        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var folder = text["sqlite:".Length..];
            if (folder.StartsWith("//", StringComparison.Ordinal))
            {
                error = ErrorMessages.StateValueInvalid(text, "write sqlite:FOLDER (e.g. sqlite:.roost/state or sqlite:/var/lib/app/state), without '//'");
                return false;
            }

            if (folder.Trim().Length == 0)
            {
                error = ErrorMessages.StateValueInvalid(text, "the folder after 'sqlite:' is empty");
                return false;
            }

            options = new SharedStateOptions { Directory = folder };
            return true;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            if (text.StartsWith("redis:", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss:", StringComparison.OrdinalIgnoreCase))
            {
                error = ErrorMessages.StateValueInvalid(text, "a Redis address needs '//' after the scheme (redis://host:port)");
                return false;
            }

            options = new SharedStateOptions { Directory = text };
            return true;
        }

        var scheme = text[..schemeEnd];
        if (!scheme.Equals("redis", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase))
        {
            error = ErrorMessages.StateValueInvalid(text, $"unknown scheme '{scheme}'");
            return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = ErrorMessages.StateValueInvalid(text, "it is not a valid URL with a host (check the host and that the port is a number from 1 to 65535)");
            return false;
        }

        if (uri.AbsolutePath is not ("/" or ""))
        {
            error = ErrorMessages.StateValueInvalid(text, $"a path ('{uri.AbsolutePath}') is not supported; Roost uses Redis database 0");
            return false;
        }

        var question = text.IndexOf('?', StringComparison.Ordinal);
        options = new SharedStateOptions { Redis = question < 0 ? text : text[..question] };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var setting = Uri.UnescapeDataString(equals < 0 ? string.Empty : pair[(equals + 1)..]);
            switch (name)
            {
                case "timeout" when ParseDuration(setting) is { } timeout:
                    options.RedisTimeout = timeout;
                    break;
                case "timeout":
                    error = ErrorMessages.StateValueInvalid(text, $"timeout '{setting}' is not a positive duration (use e.g. 500ms, 5s, or a number of milliseconds)");
                    break;
                case "app" when setting.Trim().Length > 0:
                    options.ApplicationName = setting;
                    break;
                case "app":
                    error = ErrorMessages.StateValueInvalid(text, "app is empty (give the application name every worker uses)");
                    break;
                default:
                    error = ErrorMessages.StateValueInvalid(text, $"unknown option '{name}' (known: timeout, app)");
                    break;
            }

            if (error is not null)
            {
                options = null;
                return false;
            }
        }

        return true;
    }

    private static TimeSpan? ParseDuration(string text)
    {
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value * scale < int.MaxValue
            ? TimeSpan.FromMilliseconds(value * scale)
            : null;
    }
}
