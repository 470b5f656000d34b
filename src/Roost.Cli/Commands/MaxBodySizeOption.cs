using System.Globalization;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost serve --max-body-size</c> (declared in <see cref="Configuration.RoostSettings.MaxBodySize"/>): the largest request body accepted (nginx's <c>client_max_body_size</c>, with its
/// default and its units). <c>roost serve</c>'s own handlers (the built-in page, <c>/healthz</c>, <c>--root</c> files) read
/// no body, so nginx's 1 MiB default fits better than Kestrel's 30 MB.
/// </summary>
internal static class MaxBodySizeOption
{
    /// <summary>The default: 1 MiB, as nginx's <c>client_max_body_size</c>.</summary>
    public const long Default = 1024 * 1024;

    /// <summary>Parses <c>1048576</c>, <c>512k</c>, <c>1m</c>, <c>2g</c> (1024-based, either case); 0 means no limit.</summary>
    internal static bool TryParse(string? text, out long? size)
    {
        size = null;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            return false;
        }

        var multiplier = char.ToLowerInvariant(value[^1]) switch
        {
            'k' => 1024L,
            'm' => 1024L * 1024,
            'g' => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var number = multiplier == 1 ? value : value[..^1];
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > long.MaxValue / multiplier)
        {
            return false;
        }

        size = count == 0 ? null : count * multiplier;
        return true;
    }
}
