namespace Roost.Internal.Control;

/// <summary>Why <see cref="ControlClient.Connect"/> found no primary.</summary>
internal enum ControlConnectFailure
{
    /// <summary>No socket file: no primary of that name runs (or it runs with another run directory).</summary>
    NotRunning,

    /// <summary>The file is there but nobody listens: its primary died without removing it.</summary>
    Stale,

    /// <summary>The socket or its directory belongs to another user.</summary>
    AccessDenied,
}

/// <summary>No primary could be reached on a control socket.</summary>
internal sealed class ControlConnectException(ControlConnectFailure failure, string socketPath, Exception? inner = null)
    : IOException($"{failure}: {socketPath}", inner)
{
    public ControlConnectFailure Failure { get; } = failure;

    public string SocketPath { get; } = socketPath;
}
