namespace Roost.Clustering.Internal.Metrics;

/// <summary>Quantiles from bucket counts, the way Prometheus' <c>histogram_quantile</c> estimates them.</summary>
internal static class HistogramQuantile
{
    /// <summary>
    /// Estimates quantile <paramref name="q"/> from per-bucket counts (not cumulative; the last bucket is +Inf):
    /// linear interpolation inside the bucket that holds the rank, from 0 for the first bucket; a rank in the +Inf
    /// bucket answers the largest finite bound. <see langword="null"/> when there are no counts.
    /// </summary>
    public static double? Estimate(IReadOnlyList<double> bounds, IReadOnlyList<long> buckets, double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        long total = 0;
        foreach (var count in buckets)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (seen + buckets[i] >= rank && buckets[i] > 0)
            {
                if (i >= bounds.Count)
                {
                    return bounds[^1];
                }

                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - seen) / buckets[i]);
            }

            seen += buckets[i];
        }

        return bounds[^1];
    }
}
