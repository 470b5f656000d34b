namespace Roost.Internal;

/// <summary>Event ids of reuseport steering during live scaling (2170–2179, primary).</summary>
internal static partial class ClusterEventIds
{
    public const int SteeringChanged = 2170;
    public const int RemovedSlotQueued = 2171;
}
