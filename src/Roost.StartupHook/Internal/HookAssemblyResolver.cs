using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Roost.StartupHook.Internal;

/// <summary>
/// Finds Roost's own assemblies and native libraries in the hook's folder. It answers only what the app's context
/// could not load (the <c>Resolving</c> events fire after normal probing fails), so the app's own copies of shared
/// dependencies always win; Roost's never replace them.
/// </summary>
/// <remarks>Touches no Roost type: it runs before they can be loaded.</remarks>
internal static class HookAssemblyResolver
{
    /// <summary>
    /// The hook's full path as the runtime loaded it: the rooted entry of <paramref name="startupHooks"/> (the
    /// <c>DOTNET_STARTUP_HOOKS</c> value) named <paramref name="fileName"/>; <see langword="null"/> when the hook
    /// was named without a path (then the runtime found it in the app's folder).
    /// </summary>
    public static string? FindHook(string? startupHooks, string fileName) =>
        (startupHooks ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathRooted)
            .LastOrDefault(entry => string.Equals(Path.GetFileName(entry), fileName, StringComparison.Ordinal)) is { } path
            ? Path.GetFullPath(path)
            : null;

    [RequiresUnreferencedCode("Loads Roost's assemblies from the hook's folder into an untrimmed (JIT) app.")]
    public static void Install(string folder)
    {
        AssemblyLoadContext.Default.Resolving += (context, name) => Resolve(context, name, folder);
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) => ResolveNative(name, folder);
    }

    [RequiresUnreferencedCode("Loads Roost's assemblies from the hook's folder into an untrimmed (JIT) app.")]
    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name, string folder)
    {
        var path = Path.Combine(folder, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }

    private static IntPtr ResolveNative(string name, string folder)
    {
        // Native assets of Roost's packages (SQLite's e_sqlite3) sit under runtimes/<rid>/native in a portable build.
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string[] rids = [RuntimeInformation.RuntimeIdentifier, $"linux-{architecture}", $"linux-musl-{architecture}", $"osx-{architecture}"];
        string[] files = [$"lib{name}.so", $"lib{name}.dylib", $"{name}.so", name];
        foreach (var directory in rids.Select(rid => Path.Combine(folder, "runtimes", rid, "native")).Prepend(folder))
        {
            foreach (var file in files)
            {
                var path = Path.Combine(directory, file);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                {
                    return handle;
                }
            }
        }

        return IntPtr.Zero;
    }
}
