namespace Roost.StartupHook.Internal;

/// <summary>
/// Event ids of the <c>roost run</c> startup hook: the range 2150–2159, inside the worker-runtime range and reserved
/// for the hook (Roost.Cluster's table leaves it free; CONTRIBUTING.md §8.2). In id order, never reused.
/// </summary>
internal static class RunEventIds
{
    public const int RunConfigurationEndpointsIgnored = 2150;
    public const int RunUrlsIgnored = 2151;
    public const int RunWorkerServing = 2152;
}
