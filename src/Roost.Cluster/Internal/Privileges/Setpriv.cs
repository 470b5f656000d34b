using System.Diagnostics;
using System.Globalization;

namespace Roost.Clustering.Internal.Privileges;

/// <summary>
/// Starting workers with a group other than the user's own (<c>--group</c>): .NET's process start
/// (<see cref="ProcessStartInfo.UserName"/>) always takes the gid from the user database, so such workers are started
/// through <c>setpriv</c> (util-linux), which in the child sets the groups, the gid and the uid and then execs the
/// worker's program — same pid, same environment and inherited descriptors; the worker's own code never runs as root.
/// </summary>
internal static class Setpriv
{
    /// <summary>The program's name, as the message about a missing one says it.</summary>
    public const string ProgramName = "setpriv";

    private static readonly string[] Fallbacks = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv"];

    /// <summary>Finds <c>setpriv</c> on PATH (or in the usual folders); <see langword="null"/> when it is not installed.</summary>
    public static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathRooted)
            .Select(folder => Path.Combine(folder, ProgramName))
            .Concat(Fallbacks)
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Rewrites <paramref name="info"/> to run its program through <paramref name="setpriv"/> as
    /// <paramref name="uid"/>, <paramref name="gid"/> and <paramref name="groups"/>.
    /// </summary>
    public static void Wrap(ProcessStartInfo info, string setpriv, uint uid, uint gid, IReadOnlyList<uint> groups)
    {
        string[] prefix =
        [
            Text("--reuid=", uid),
            Text("--regid=", gid),
            "--groups=" + string.Join(',', groups.Select(g => g.ToString(CultureInfo.InvariantCulture))),
            "--",
            info.FileName,
        ];
        if (info.ArgumentList.Count == 0 && !string.IsNullOrEmpty(info.Arguments))
        {
            // A start info built with the Arguments string keeps its quoting; the prefix is quoted the same way.
            info.Arguments = string.Join(' ', prefix.Select(Quote)) + " " + info.Arguments;
        }
        else
        {
            for (var i = 0; i < prefix.Length; i++)
            {
                info.ArgumentList.Insert(i, prefix[i]);
            }
        }

        info.FileName = setpriv;
    }

    private static string Text(string option, uint id) => option + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Quotes an argument for <see cref="ProcessStartInfo.Arguments"/> (program paths: blanks and quotes only).</summary>
    private static string Quote(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c == '"')
            ? argument
            : "\"" + argument.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
