namespace Roost.Control;

/// <summary>Why no primary could be reached (<see cref="ControlConnectException.Failure"/>).</summary>
public enum ControlConnectFailure
{
    /// <summary>No socket file: no primary of that name runs (or it runs with another run directory).</summary>
    NotRunning,

    /// <summary>The file is there but nobody listens: its primary exited without removing it.</summary>
    Stale,

    /// <summary>The socket or its directory belongs to another user.</summary>
    AccessDenied,

    /// <summary>Several primaries run under the run directory and none was named (<see cref="ControlClient.ForOnlyInstance"/>).</summary>
    Ambiguous,
}
