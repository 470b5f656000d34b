namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// Whether the primary steers new reuseport connections to chosen slots (from the first scale on), and the slots it
/// last reported steering to (each change is logged once). Owned by the supervisor loop (Supervisor.Scale.cs decides
/// which slots; <c>ReusePortListenerSharing.Steering.cs</c> programs the kernel).
/// </summary>
internal sealed class ConnectionSteering
{
    private string? _reported;

    /// <summary>Gets a value indicating whether steering is on: a scale has started since the primary started.</summary>
    public bool On { get; private set; }

    /// <summary>A scale starts: steering is on from now on.</summary>
    public void TurnOn() => On = true;

    /// <summary>Returns <see langword="true"/> when <paramref name="slots"/> differs from the last slots reported (and remembers it).</summary>
    public bool Changed(string slots)
    {
        if (slots == _reported)
        {
            return false;
        }

        _reported = slots;
        return true;
    }
}
