using Roost.Clustering.Internal.Control;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Live scaling and the control socket.</summary>
internal abstract partial record SupervisorEvent
{
    /// <summary>Scale to <paramref name="Workers"/> (absolute) or by <paramref name="Delta"/> (API call or control socket).</summary>
    public sealed record Scale(int? Workers, int? Delta, TaskCompletionSource<ScaleResult> Result, Action<ControlResponse>? Progress = null) : SupervisorEvent;

    /// <summary>A request read from the control socket (control connection task).</summary>
    public sealed record Control(ControlRequest Request, ControlSession Session) : SupervisorEvent;
}
