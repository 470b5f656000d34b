using Xunit;

namespace Roost.Testing;

/// <summary>
/// External programs tests drive (curl, openssl, h2load, wrk, node…). When one is missing the test is skipped with
/// the Debian package to install — except under CI (<c>CI=true</c>), where a missing tool fails the test.
/// </summary>
public static class ExternalTool
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the full path of <paramref name="name"/>, or skips (fails under CI) naming <paramref name="package"/>.</summary>
    public static string Require(string name, string package)
    {
        var path = Find(name);
        if (path is not null)
        {
            return path;
        }

        var message = $"'{name}' is not installed; install the Debian package '{package}' (apt-get install -y {package}).";
        if (IsCi)
        {
            Assert.Fail(message + " CI=true: .ci/run must install it.");
        }

        Assert.Skip(message);
        return null!;
    }

    public static string? Find(string name)
    {
        var pathVariable = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
