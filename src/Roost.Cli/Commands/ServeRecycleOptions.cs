using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Roost.Cli.Commands;

/// <summary>
/// The worker recycling and reload flags of <c>roost serve --workers N</c>: <c>--max-requests</c>,
/// <c>--max-requests-jitter</c>, <c>--max-memory</c>, <c>--max-age</c>, <c>--max-age-jitter</c> and <c>--reload-batch-size</c>
/// (each maps to one <see cref="ClusterOptions"/> setting; recycling is off unless a flag is given).
/// </summary>
internal sealed class ServeRecycleOptions
{
    public Option<long?> MaxRequests { get; } = new("--max-requests")
    {
        Description = "Recycle a worker after it has served this many requests (successor ready first, then it drains). Default: off.",
    };

    public Option<int> MaxRequestsJitter { get; } = new("--max-requests-jitter")
    {
        Description = "Add a random 0..N to each worker's --max-requests, so workers do not recycle together.",
        DefaultValueFactory = _ => 0,
    };

    public Option<long?> MaxMemory { get; } = new("--max-memory")
    {
        Description = "Recycle a worker whose resident memory (RSS) is above this many MB. Default: off.",
    };

    public Option<string?> MaxAge { get; } = new("--max-age")
    {
        Description = "Recycle a worker after it has run this long: 90s, 30m, 12h, 1d (a plain number means seconds). Default: off.",
    };

    public Option<string?> MaxAgeJitter { get; } = new("--max-age-jitter")
    {
        Description = "Add a random 0..D to each worker's --max-age, so workers started together do not recycle together. Default: a tenth of --max-age; 0 turns it off.",
    };

    public Option<int> ReloadBatchSize { get; } = new("--reload-batch-size")
    {
        Description = "Workers a rolling reload (SIGHUP) replaces at a time, each after its successor is ready.",
        DefaultValueFactory = _ => 1,
    };

    public void AddTo(Command command)
    {
        MaxRequests.Validators.Add(r => Positive(r, "--max-requests", "requests"));
        MaxMemory.Validators.Add(r => Positive(r, "--max-memory", "MB"));
        MaxRequestsJitter.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError(ErrorMessages.FlagNegative("--max-requests-jitter", Token(r)));
            }
        });
        ReloadBatchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError(ErrorMessages.FlagNotPositive("--reload-batch-size", Token(r), "workers"));
            }
        });
        MaxAge.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && TryParseDuration(text) is null)
            {
                r.AddError(ErrorMessages.DurationInvalid("--max-age", text));
            }
        });
        command.Options.Add(MaxRequests);
        command.Options.Add(MaxRequestsJitter);
        command.Options.Add(MaxMemory);
        command.Options.Add(MaxAge);
        MaxAgeJitter.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && TryParseJitter(text) is null)
            {
                r.AddError(ErrorMessages.DurationInvalid("--max-age-jitter", text));
            }
        });
        command.Options.Add(MaxAgeJitter);
        command.Options.Add(ReloadBatchSize);
        command.Validators.Add(r =>
        {
            if (r.GetResult(MaxRequestsJitter) is { Implicit: false } && r.GetValue(MaxRequests) is null)
            {
                r.AddError(ErrorMessages.FlagNeedsOther("--max-requests-jitter", "--max-requests"));
            }

            if (r.GetResult(MaxAgeJitter) is { Implicit: false } && r.GetValue(MaxAge) is null)
            {
                r.AddError(ErrorMessages.FlagNeedsOther("--max-age-jitter", "--max-age"));
            }
        });
    }

    public RecycleSettings Read(ParseResult parse) => new(
        parse.GetValue(MaxRequests),
        parse.GetValue(MaxRequestsJitter),
        parse.GetValue(MaxMemory),
        parse.GetValue(MaxAge) is { } age ? TryParseDuration(age) : null,
        parse.GetValue(ReloadBatchSize))
    {
        MaxAgeJitter = parse.GetValue(MaxAgeJitter) is { } jitter ? TryParseJitter(jitter) : null,
    };

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

    private static void Positive(OptionResult result, string flag, string unit)
    {
        if (result.GetValueOrDefault<long?>() is < 1)
        {
            result.AddError(ErrorMessages.FlagNotPositive(flag, Token(result), unit));
        }
    }

    private static string Token(OptionResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
}

/// <summary>The recycling and reload settings of <c>roost serve</c> (null: off).</summary>
internal sealed record RecycleSettings(long? MaxRequests, int MaxRequestsJitter, long? MaxMemoryMegabytes, TimeSpan? MaxAge, int ReloadBatchSize)
{
    public static RecycleSettings Off { get; } = new(null, 0, null, null, 1);

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
