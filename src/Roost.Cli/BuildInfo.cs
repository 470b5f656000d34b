using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Roost.Cli;

/// <summary>
/// What <c>roost --version</c> prints: the version (<c>VersionPrefix</c> in Directory.Build.props, plus any
/// <c>VersionSuffix</c>) and the commit roost was built from, read from the informational version the SDK writes as
/// <c>version+commit</c> (Source Link's <c>SourceRevisionId</c>). A build outside git, or with
/// <c>-p:IncludeSourceRevisionInInformationalVersion=false</c> (benchmarks/publish-aot.sh), says "unknown commit".
/// </summary>
internal static class BuildInfo
{
    /// <summary>Hex digits of the commit shown, as <c>git log --oneline</c> shows them.</summary>
    private const int ShortCommitLength = 7;

    /// <summary>The one line <c>roost --version</c> prints, e.g. <c>roost 0.1.0 (commit 33b6e25, native linux-x64)</c>.</summary>
    public static string VersionLine { get; } = Describe(
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
        IsJit ? $".NET {Environment.Version}" : $"native {RuntimeInformation.RuntimeIdentifier}");

    /// <summary>
    /// True on the JIT runtime, false in the native (NativeAOT) roost, which has no JIT so compiled no method.
    /// (<c>RuntimeFeature.IsDynamicCodeSupported</c> cannot tell: PublishAot turns it off in the JIT build too.)
    /// </summary>
    public static bool IsJit => System.Runtime.JitInfo.GetCompiledMethodCount() > 0;

    /// <summary>Makes the root command's <c>--version</c> print <see cref="VersionLine"/>.</summary>
    /// <param name="root">The root command (it has System.CommandLine's <see cref="VersionOption"/>).</param>
    public static void UseForVersionOption(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new PrintVersion();
            }
        }
    }

    /// <summary>The version line for an informational version (<c>0.1.0+commit</c>) and the runtime roost runs on.</summary>
    internal static string Describe(string? informationalVersion, string runtime)
    {
        var text = informationalVersion ?? "0.0.0";
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? text : text[..plus];
        var commit = plus < 0 ? "" : text[(plus + 1)..];
        var commitText = commit.Length == 0 ? "unknown commit" : $"commit {commit[..Math.Min(ShortCommitLength, commit.Length)]}";
        return $"roost {version} ({commitText}, {runtime})";
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(VersionLine);
            return ExitCodes.Ok;
        }
    }
}
