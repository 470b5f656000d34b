namespace Roost.Internal.Control;

/// <summary>
/// The control socket's protocol: JSON lines over a unix stream socket. The client sends one request (one JSON object,
/// <c>"v"</c> = <see cref="Version"/>, <c>"type"</c> = the command); the primary answers with zero or more
/// <c>progress</c> lines and ends with exactly one <c>status</c>, <c>result</c> or <c>error</c> line, then closes.
/// A primary answers a request of another version with an <c>error</c> (code <c>version</c>). Documented in docs/cli.md.
/// </summary>
internal static class ControlProtocol
{
    /// <summary>The protocol version this build speaks.</summary>
    public const int Version = 1;

    /// <summary>The longest request line the primary reads.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>Error codes (<see cref="ControlResponse.Error.Code"/>).</summary>
    public static class ErrorCodes
    {
        public const string BadRequest = "bad-request";
        public const string Version = "version";
        public const string Forbidden = "forbidden";
        public const string NotRunning = "not-running";
    }
}
