using Microsoft.Extensions.Logging;

namespace Roost.SharedState;

/// <summary>Source-generated log methods of the shared-state library.</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.StoreOpened, LogLevel.Information, "Shared state store {Store} opened", EventName = "StoreOpened")]
    public static partial void StoreOpened(ILogger logger, string store);

    [LoggerMessage(EventIds.ExpiredRemoved, LogLevel.Debug, "Removed {Count} expired entries from {Store}", EventName = "ExpiredRemoved")]
    public static partial void ExpiredRemoved(ILogger logger, int count, string store);

    [LoggerMessage(EventIds.CleanupFailed, LogLevel.Warning, "Removing expired entries from {Store} failed; the next run tries again", EventName = "CleanupFailed")]
    public static partial void CleanupFailed(ILogger logger, string store, Exception exception);

    [LoggerMessage(EventIds.StoreUnavailable, LogLevel.Warning, "Answered 503 to {Method} {Path}: {Reason}", EventName = "StoreUnavailable")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason, Exception? exception);

    [LoggerMessage(EventIds.RedisConnectionFailed, LogLevel.Warning, "Lost the connection to Redis at {EndPoint} ({FailureType}); requests that need the session get 503 until it is back", EventName = "RedisConnectionFailed")]
    public static partial void RedisConnectionFailed(ILogger logger, string endPoint, string failureType, Exception? exception);

    [LoggerMessage(EventIds.RedisConnectionRestored, LogLevel.Information, "Connection to Redis at {EndPoint} restored", EventName = "RedisConnectionRestored")]
    public static partial void RedisConnectionRestored(ILogger logger, string endPoint);

    [LoggerMessage(EventIds.KeyRingPrepared, LogLevel.Information, "Data Protection key ring ready in {Location} (application name {ApplicationName}, {KeyCount} key(s))", EventName = "KeyRingPrepared")]
    public static partial void KeyRingPrepared(ILogger logger, string location, string applicationName, int keyCount);

    [LoggerMessage(EventIds.BroadcastRejected, LogLevel.Warning, "Dropped a broadcast from {Transport}: {Reason} ({Length} bytes)", EventName = "BroadcastRejected")]
    public static partial void BroadcastRejected(ILogger logger, string transport, string reason, long length);

    [LoggerMessage(EventIds.BroadcastHandlerFailed, LogLevel.Error, "A SharedBroadcast subscriber threw; the other subscribers and later messages are not affected", EventName = "BroadcastHandlerFailed")]
    public static partial void BroadcastHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.BroadcastSubscribeFailed, LogLevel.Warning, "Subscribing to broadcasts on {Transport} failed; retrying when the connection is back", EventName = "BroadcastSubscribeFailed")]
    public static partial void BroadcastSubscribeFailed(ILogger logger, string transport, Exception exception);
}
