namespace Roost.StartupHook.Internal;

/// <summary>Every message the startup hook prints (tests assert them).</summary>
internal static class HookErrorMessages
{
    public static string NotStartedByRoost() =>
        "warning: roost run: the Roost startup hook is loaded but this process was not started by 'roost run' (no ROOST_RUN_CONFIG); the app runs unchanged.";

    public static string NoWorkerEnvironment() =>
        "the worker environment (ROOST_CLUSTER_WORKER_ID, ROOST_CLUSTER_IPC_FD) is missing. Start the app with 'roost run', not by hand.";

    public static string NoListeners() =>
        "the primary passed no listening socket (ROOST_CLUSTER_LISTEN_FDS). Start the app with 'roost run'.";

    public static string UnknownHostBuilder(string type) =>
        $"error: roost run: the app builds its host with '{type}', which the startup hook cannot add services to. Use WebApplication.CreateBuilder or Host.CreateDefaultBuilder.";

    public static string HookFailed(string reason) =>
        $"error: roost run: the startup hook could not set up this worker: {reason}";
}
