using System.Runtime.CompilerServices;
using Roost.StartupHook.Internal;

/// <summary>
/// The class the .NET runtime calls before the app's <c>Main</c> when <c>DOTNET_STARTUP_HOOKS</c> names this assembly
/// (the runtime requires this exact shape: <c>StartupHook</c>, no namespace, <c>public static void Initialize()</c>).
/// </summary>
/// <remarks>
/// Steps: (1) resolve Roost's assemblies (and SQLite's native library) from this assembly's folder, never in place of
/// the app's own; (2) only then touch a Roost type (<see cref="HookEntry"/>, not inlined here): read the
/// configuration the primary passed, start the worker runtime (IPC, heartbeats) and watch for the app's host being
/// built. Any failure prints one clear line and exits with code 4 (application load failed): the primary reports it
/// as a boot failure instead of the app silently starting on its own port.
/// </remarks>
internal static class StartupHook
{
    /// <summary>Called by the runtime once, on the main thread, before the app's entry point.</summary>
    public static void Initialize()
    {
        HookAssemblyResolver.Install(Path.GetDirectoryName(typeof(StartupHook).Assembly.Location)!);
        Run();
    }

    // Not inlined: the JIT must not need Roost.Cluster's types before the resolver above is installed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run() => HookEntry.Run();
}
