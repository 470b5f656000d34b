using System.Globalization;
using Roost.Cli.Configuration;

namespace Roost.Cli.Commands;

/// <summary>The duration texts of the recycling settings (<c>max-age</c>, <c>max-age-jitter</c>).</summary>
internal static class ServeRecycleOptions
{
    /// <summary>Parses a jitter: a duration as for <see cref="TryParseDuration"/>, or zero (<c>0</c>, <c>0s</c>…) to turn it off.</summary>
    internal static TimeSpan? TryParseJitter(string text) =>
        double.TryParse(text.Trim().TrimEnd('s', 'm', 'h', 'd'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n == 0
            ? TimeSpan.Zero
            : TryParseDuration(text);

    /// <summary>Parses 90s, 30m, 12h, 1d, 500ms or a plain number of seconds; <see langword="null"/> when not a positive duration.</summary>
    internal static TimeSpan? TryParseDuration(string text)
    {
        var value = text.Trim();
        var (number, unit) = value.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (value[..^2], TimeSpan.FromMilliseconds(1))
            : value.EndsWith('s') ? (value[..^1], TimeSpan.FromSeconds(1))
            : value.EndsWith('m') ? (value[..^1], TimeSpan.FromMinutes(1))
            : value.EndsWith('h') ? (value[..^1], TimeSpan.FromHours(1))
            : value.EndsWith('d') ? (value[..^1], TimeSpan.FromDays(1))
            : (value, TimeSpan.FromSeconds(1));
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n > 0 && n * unit.TotalDays < 3650
            ? unit * n
            : null;
    }
}

/// <summary>The recycling and reload settings of <c>roost serve</c> (null: off).</summary>
internal sealed record RecycleSettings(long? MaxRequests, int MaxRequestsJitter, long? MaxMemoryMegabytes, TimeSpan? MaxAge, int ReloadBatchSize)
{
    public static RecycleSettings Off { get; } = new(null, 0, null, null, 1);

    /// <summary>The recycling settings from the effective settings.</summary>
    public static RecycleSettings From(EffectiveSettings settings) => new(
        settings.Get(RoostSettings.MaxRequests),
        settings.Get(RoostSettings.MaxRequestsJitter),
        settings.Get(RoostSettings.MaxMemory),
        settings.Get(RoostSettings.MaxAge) is { } age ? ServeRecycleOptions.TryParseDuration(age) : null,
        settings.Get(RoostSettings.ReloadBatchSize))
    {
        MaxAgeJitter = settings.Get(RoostSettings.MaxAgeJitter) is { } jitter ? ServeRecycleOptions.TryParseJitter(jitter) : null,
    };

    /// <summary>Gets the age jitter (null: a tenth of the age, the cluster's default).</summary>
    public TimeSpan? MaxAgeJitter { get; init; }

    public void ApplyTo(ClusterOptions options)
    {
        options.RecycleAfterRequests = MaxRequests;
        options.RecycleRequestsJitter = MaxRequestsJitter;
        options.RecycleAboveMemoryBytes = MaxMemoryMegabytes * 1024 * 1024;
        options.RecycleAfterAge = MaxAge;
        options.RecycleAgeJitter = MaxAgeJitter;
        options.ReloadBatchSize = ReloadBatchSize;
    }
}
