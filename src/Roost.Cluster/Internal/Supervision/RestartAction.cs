namespace Roost.Clustering.Internal.Supervision;

/// <summary>The outcome of <see cref="RestartPolicy.Decide"/>.</summary>
internal enum RestartAction
{
    /// <summary>Do not restart (asked for, or Node's default).</summary>
    None,

    /// <summary>Start a replacement after the delay.</summary>
    Restart,

    /// <summary>The worker died before it listened: stop the cluster.</summary>
    BootFailed,

    /// <summary>Too many crashes in the window: stop the cluster.</summary>
    GiveUp,
}
