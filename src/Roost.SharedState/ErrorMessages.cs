namespace Roost.SharedState;

/// <summary>
/// Every user-facing message of the shared-state library. Each answers: what was wrong, which input, what value was
/// seen, and what to do.
/// </summary>
internal static class ErrorMessages
{
    public static string SqliteBusy(string path, TimeSpan timeout) =>
        $"The shared state file '{path}' stayed locked by another process for more than {timeout.TotalSeconds:0.###} s (SharedStateOptions.BusyTimeout). Look for a process holding a long transaction on it, or raise BusyTimeout.";

    public static string SqliteFailed(string path, string detail) =>
        $"The shared state file '{path}' could not be used: {detail} Check that its folder exists and is writable by the server's user and that the disk is not full.";

    public static string RedisUnavailable(string endPoint, string detail) =>
        $"The shared state store (Redis at {endPoint}) is not reachable: {detail} Requests that need the session are answered 503 until it is back; check that redis-server is running there. Roost reconnects by itself.";

    public static string SessionNotLoaded(string store) =>
        $"The session could not be loaded from the shared state store ({store}); the session middleware logged the cause. Requests that need the session are answered 503 until the store answers again.";

    public static string AbsoluteExpirationInPast(DateTimeOffset value, DateTimeOffset now) =>
        $"The absolute expiration {value:O} is not in the future (now {now:O}). Pass a later DistributedCacheEntryOptions.AbsoluteExpiration, or use AbsoluteExpirationRelativeToNow.";

    public static string NotPositive(string option, TimeSpan value) =>
        $"{option} must be positive; got {value}. Use a duration greater than zero.";

    public static string TooLong(string option, TimeSpan value, TimeSpan max) =>
        $"{option} is too long; got {value}. Use at most {max} (the longest the store accepts).";

    public static string RedisAddressInvalid(string value, string? detail = null) =>
        $"SharedStateOptions.Redis '{value}' is not a Redis address{(detail is null ? "" : $" ({detail.TrimEnd('.')})")}. Use redis://host:port (e.g. redis://127.0.0.1:6379), optionally redis://:password@host:port, or rediss:// for TLS.";

    public static string ApplicationNameEmpty(string value) =>
        $"SharedStateOptions.ApplicationName is blank; got '{value}'. Leave it null to use the host's application name, or give the same non-empty name to every worker.";

    public static string DirectoryEmpty(string? value) =>
        $"SharedStateOptions.Directory is {(value is null ? "null" : $"blank ('{value}')")}. Give the folder every worker shares, e.g. .roost/state, or set SharedStateOptions.Redis.";

    public static string SessionCookieNameEmpty(string? value) =>
        $"SharedStateOptions.SessionCookieName is {(value is null ? "null" : $"blank ('{value}')")}. Leave the default (roost.sid) or give a cookie name.";

    public static string FacadeNotConfigured(string path) =>
        $"req.GetSessionAsync() was called for '{path}', but this server has no shared state store. Call options.UseSharedState(...) on the ServerOptions before creating the server.";

    public static string KeyRingLockTimeout(string location, TimeSpan timeout) =>
        $"Waited {timeout.TotalSeconds:0} s for another process to finish creating the Data Protection key ring in {location}. If no Roost process is starting, remove the stale lock ('{location}/.lock' for a folder) and start again.";

    public static string BroadcastTooLarge(long length, int limit) =>
        $"The broadcast is {length} bytes, more than the limit of {limit} bytes (SharedBroadcast.MaxMessageBytes). Broadcast a key or an id and let receivers load the data.";

    public static string BroadcastPrimaryGone() =>
        "The broadcast was not sent: this worker's primary is gone (the IPC channel is closed). The worker is draining and will exit.";

    public const string StateFormsAccepted =
        "Accepted: redis://host:port or rediss://host:port (TLS), optionally with user:password@ and ?timeout=5s&app=NAME; sqlite:FOLDER; or a folder path (SQLite there).";

    public static string StateValueInvalid(string value, string reason) =>
        $"The shared state value '{value}' is not valid: {reason}. {StateFormsAccepted}";
}
