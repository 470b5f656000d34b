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
    public static void Install(string folder)
    {
        AssemblyLoadContext.Default.Resolving += (context, name) => Resolve(context, name, folder);
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) => ResolveNative(name, folder);
    }

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
