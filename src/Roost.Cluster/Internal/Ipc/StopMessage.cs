namespace Roost.Internal.Ipc;

/// <summary>Primary → worker: close every server gracefully (in-flight requests get up to the drain timeout), then exit.</summary>
/// <param name="DrainTimeoutMilliseconds">How long in-flight requests may take.</param>
internal sealed record StopMessage(long DrainTimeoutMilliseconds) : IpcMessage;
