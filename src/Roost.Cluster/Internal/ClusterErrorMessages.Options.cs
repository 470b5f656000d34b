using System.Globalization;

namespace Roost.Clustering.Internal;

/// <summary>The messages of <see cref="ClusterOptions.Validate"/>.</summary>
internal static partial class ClusterErrorMessages
{
    public static string OptionOutOfRange(string name, object? value, string rule) =>
        string.Create(CultureInfo.InvariantCulture, $"ClusterOptions.{name} must be {rule}; got {value}.");
}
