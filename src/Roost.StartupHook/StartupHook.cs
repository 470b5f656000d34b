using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Roost.StartupHook;
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
    /// <remarks>
    /// The hook's folder comes from <c>DOTNET_STARTUP_HOOKS</c> (the path the runtime loaded it from), not from
    /// <c>Assembly.Location</c>, which is empty in single-file apps. Loading Roost's assemblies from that folder is
    /// not trim-safe, and need not be: the hook runs in JIT apps only (<c>roost run</c> workers), never in a trimmed
    /// or native one — the native roost compiles this assembly in for its shared types, not to run the hook.
    /// </remarks>
    [RequiresUnreferencedCode("The startup hook loads Roost's assemblies from its folder into an untrimmed (JIT) app.")]
    public static void Initialize()
    {
        // RunWorkerConfig's constants are compiled in here: reading them loads no Roost type before the resolver.
        var hook = HookAssemblyResolver.FindHook(Environment.GetEnvironmentVariable(RunWorkerConfig.StartupHooksVariable), RunWorkerConfig.HookFileName)
            ?? Path.Combine(AppContext.BaseDirectory, RunWorkerConfig.HookFileName);
        var folder = Path.GetDirectoryName(hook)!;
        HookAssemblyResolver.Install(folder);
        try
        {
            Run(hook);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or TypeLoadException)
        {
            // Roost's own assemblies did not load (an incomplete install, or the app ships an older copy of one):
            // one clear line and a boot failure, never the app starting without Roost.
            Console.Error.WriteLine(HookErrorMessages.AssembliesNotLoaded(folder, ex.Message));
            Environment.Exit(HookEntry.LoadFailedExitCode);
        }
    }

    // Not inlined: the JIT must not need Roost.Cluster's types before the resolver above is installed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(string hook) => HookEntry.Run(hook);
}
