using Microsoft.Extensions.Primitives;

namespace Roost.Server.Internal;

/// <summary>How the façade shows a header with several values as one string.</summary>
internal static class HeaderValues
{
    /// <summary>
    /// Joins several values with <c>", "</c>, as Node joins repeated headers and as RFC 9110 §5.3 combines field lines.
    /// <see cref="StringValues.ToString()"/> joins with a bare comma, which is not what the façade documents.
    /// </summary>
    public static string Join(StringValues values) => values.Count == 1 ? values[0] ?? string.Empty : string.Join(", ", values.ToArray());
}
