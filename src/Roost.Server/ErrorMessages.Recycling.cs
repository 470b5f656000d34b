namespace Roost;

/// <summary>The messages of the <c>roost serve</c> recycling and reload flags.</summary>
internal static partial class ErrorMessages
{
    public static string FlagNotPositive(string flag, string value, string unit) =>
        $"{flag} must be a whole number of {unit} from 1 up; got '{value}'. Leave the flag out to turn this off.";

    public static string FlagNegative(string flag, string value) =>
        $"{flag} must be a whole number from 0 up; got '{value}'.";

    public static string DurationInvalid(string flag, string value) =>
        $"{flag} must be a duration such as 90s, 30m, 12h or 1d (a plain number means seconds); got '{value}'.";

    public static string FlagNeedsOther(string flag, string other) =>
        $"{flag} only applies together with {other}; add {other} N or drop {flag}.";
}
