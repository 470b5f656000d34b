using System.Text.Json;

namespace Roost.Cli.Commands;

/// <summary>
/// The app <c>roost run</c> starts: its entry .dll and its folder (the workers' working directory, so
/// appsettings.json and wwwroot are found as under <c>dotnet app.dll</c>). Paths keep the form the user gave (a
/// symlinked deploy folder is followed again at every worker start).
/// </summary>
/// <param name="Dll">The entry assembly.</param>
/// <param name="Folder">The folder the workers run in.</param>
internal sealed record RunApp(string Dll, string Folder)
{
    private const string AspNetCoreFramework = "Microsoft.AspNetCore.App";
    private const string RuntimeConfigSuffix = ".runtimeconfig.json";

    /// <summary>Finds the app behind <paramref name="path"/>: a .dll, a folder with one app (publish or build output), or a project folder with build output.</summary>
    /// <exception cref="RunAppException">No runnable ASP.NET Core app there; the message says why and what to do.</exception>
    public static RunApp Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            if (!full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                throw new RunAppException(RunErrorMessages.NotADll(path));
            }

            Check(path, full);
            return new RunApp(full, Path.GetDirectoryName(full)!);
        }

        if (!Directory.Exists(full))
        {
            throw new RunAppException(RunErrorMessages.AppMissing(path));
        }

        var apps = AppsIn(full);
        if (apps.Count > 1)
        {
            throw new RunAppException(RunErrorMessages.SeveralApps(path, string.Join(", ", apps.Select(Path.GetFileName))));
        }

        if (apps.Count == 1)
        {
            Check(apps[0], apps[0]);
            return new RunApp(apps[0], full);
        }

        if (OrphanRuntimeConfig(full) is { } orphan)
        {
            // A runtimeconfig.json without its .dll: a deploy that lost (or has not yet copied) the app's assembly. The
            // host pairs them by name (Shop.runtimeconfig.json belongs to Shop.dll), so that is the file to name.
            var name = Path.GetFileName(orphan);
            throw new RunAppException(RunErrorMessages.AppDllMissing(path, name, Path.Combine(path, name[..^RuntimeConfigSuffix.Length] + ".dll")));
        }

        if (Directory.EnumerateFiles(full, "*.csproj").Any())
        {
            var built = BuildOutput(full) ?? throw new RunAppException(RunErrorMessages.ProjectNotBuilt(path));
            Check(built, built);
            return new RunApp(built, Path.GetDirectoryName(built)!);
        }

        throw new RunAppException(RunErrorMessages.NoApp(path));
    }

    private static List<string> AppsIn(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*" + RuntimeConfigSuffix)
            .Select(c => c[..^RuntimeConfigSuffix.Length] + ".dll")
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)];

    private static string? OrphanRuntimeConfig(string folder) =>
        Directory.EnumerateFiles(folder, "*" + RuntimeConfigSuffix)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault(c => !File.Exists(c[..^RuntimeConfigSuffix.Length] + ".dll"));

    /// <summary>The newest app under bin/: publish folders first (what a deploy runs), then plain build output.</summary>
    private static string? BuildOutput(string project)
    {
        var bin = Path.Combine(project, "bin");
        if (!Directory.Exists(bin))
        {
            return null;
        }

        var configurations = Directory.EnumerateDirectories(bin).SelectMany(Directory.EnumerateDirectories).ToList();
        var published = configurations.Select(tfm => Path.Combine(tfm, "publish")).Where(Directory.Exists).SelectMany(AppsIn);
        var built = configurations.SelectMany(AppsIn);
        return published.OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? built.OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
    }

    private static void Check(string shown, string dll)
    {
        var runtimeConfig = dll[..^".dll".Length] + RuntimeConfigSuffix;
        if (!File.Exists(runtimeConfig))
        {
            throw new RunAppException(RunErrorMessages.NoRuntimeConfig(shown, Path.GetFileName(runtimeConfig)));
        }

        List<string> frameworks = [];
        bool selfContained;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfig), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var options = document.RootElement.GetProperty("runtimeOptions");
            selfContained = options.TryGetProperty("includedFrameworks", out _);
            if (options.TryGetProperty("framework", out var framework))
            {
                frameworks.Add(framework.GetProperty("name").GetString() ?? string.Empty);
            }

            if (options.TryGetProperty("frameworks", out var list))
            {
                frameworks.AddRange(list.EnumerateArray().Select(f => f.GetProperty("name").GetString() ?? string.Empty));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new RunAppException(RunErrorMessages.RuntimeConfigInvalid(runtimeConfig, ex.Message));
        }

        if (selfContained)
        {
            throw new RunAppException(RunErrorMessages.SelfContained(shown));
        }

        if (!frameworks.Contains(AspNetCoreFramework, StringComparer.OrdinalIgnoreCase))
        {
            throw new RunAppException(RunErrorMessages.NotAspNetCore(shown, frameworks.Count == 0 ? "no framework" : string.Join(", ", frameworks.Select(f => $"'{f}'"))));
        }
    }
}

/// <summary>The app given to <c>roost run</c> cannot be run; the message says why and what to do.</summary>
internal sealed class RunAppException(string message) : Exception(message);
