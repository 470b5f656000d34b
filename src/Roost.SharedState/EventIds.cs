namespace Roost.SharedState;

/// <summary>
/// Event ids of the shared-state library: the range 4000–4099 (shared state), next to the ranges listed in
/// Roost.Server's <c>EventIds</c>. Never reused.
/// </summary>
internal static class EventIds
{
    public const int StoreOpened = 4000;
    public const int ExpiredRemoved = 4001;
    public const int CleanupFailed = 4002;
    public const int StoreUnavailable = 4010;
    public const int RedisConnectionFailed = 4020;
    public const int RedisConnectionRestored = 4021;
    public const int KeyRingPrepared = 4030;
    public const int BroadcastRejected = 4040;
    public const int BroadcastHandlerFailed = 4041;
    public const int BroadcastSubscribeFailed = 4042;
}
