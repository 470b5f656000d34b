namespace Roost.Control;

/// <summary>A primary's instance directory found under a run directory (<see cref="ControlClient.ListInstancesAsync"/>).</summary>
/// <param name="Name">The instance name (the directory's name).</param>
/// <param name="Directory">The instance directory, which holds <c>control.sock</c>.</param>
/// <param name="State">
/// <c>running</c> (its primary answered), <c>refused</c> (it answered without a status: another user's primary, or an
/// older or newer protocol), <c>stale</c> (the socket is there but nobody listens: its primary exited without removing
/// it) or <c>unreachable</c> (it cannot be connected to, e.g. access denied).
/// </param>
/// <param name="Pid">The primary's process id when it answered.</param>
/// <param name="Workers">Its serving workers (hot spares not counted); 0 when it did not answer.</param>
public sealed record ControlInstance(string Name, string Directory, string State, int? Pid, int Workers);
