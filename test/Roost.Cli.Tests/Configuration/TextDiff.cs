using System.Text;

namespace Roost.Cli.Tests.Configuration;

/// <summary>A short line diff for snapshot failures: the lines that differ, with their numbers (- expected, + actual).</summary>
internal static class TextDiff
{
    public static string Lines(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var diff = new StringBuilder();
        var shown = 0;
        for (var i = 0; i < Math.Max(a.Length, b.Length) && shown < 40; i++)
        {
            var left = i < a.Length ? a[i] : null;
            var right = i < b.Length ? b[i] : null;
            if (left == right)
            {
                continue;
            }

            shown++;
            if (left is not null)
            {
                diff.Append(System.Globalization.CultureInfo.InvariantCulture, $"-{i + 1}: {left}\n");
            }

            if (right is not null)
            {
                diff.Append(System.Globalization.CultureInfo.InvariantCulture, $"+{i + 1}: {right}\n");
            }
        }

        return diff.ToString();
    }
}
