namespace Roost.Control;

/// <summary>
/// The codes a primary answers a control request with when it does not serve it
/// (<see cref="ControlRefusedException.Code"/>; the <c>code</c> of an <c>error</c> line, docs/cli.md).
/// </summary>
public static class ControlErrorCodes
{
    /// <summary>The request line was not a request of this protocol (not JSON, unknown <c>type</c>, a field of the wrong shape).</summary>
    public const string BadRequest = "bad-request";

    /// <summary>The request's protocol version (<c>v</c>) is not the primary's: use the client of the same release.</summary>
    public const string Version = "version";

    /// <summary>The connecting user is not the primary's owner.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The cluster is not running (it is stopping or has stopped).</summary>
    public const string NotRunning = "not-running";
}
