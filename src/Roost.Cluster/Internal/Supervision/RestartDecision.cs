namespace Roost.Clustering.Internal.Supervision;

/// <summary>What <see cref="RestartPolicy"/> decided.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Delay">For <see cref="RestartAction.Restart"/>, how long to wait first.</param>
internal readonly record struct RestartDecision(RestartAction Action, TimeSpan Delay);
