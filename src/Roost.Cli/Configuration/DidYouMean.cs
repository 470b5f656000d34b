namespace Roost.Cli.Configuration;

/// <summary>Suggests the known name closest to a mistyped one (optimal string alignment distance: a swap of two neighbours counts as one edit).</summary>
internal static class DidYouMean
{
    /// <summary>Returns the closest of <paramref name="candidates"/>, or <see langword="null"/> when none is close (more than a third of the name, at least 2, differs).</summary>
    public static string? Suggest(string typed, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(typed);
        var normalized = Normalize(typed);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // shutdown_timeout, shutdownTimeout and SHUTDOWN-TIMEOUT all mean shutdown-timeout.
            var distance = Normalize(candidate) == normalized ? 0 : Distance(typed.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(2, typed.Length / 3) ? best : null;
    }

    /// <summary>The optimal string alignment distance between two strings.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string Normalize(string name) =>
        new([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
}
