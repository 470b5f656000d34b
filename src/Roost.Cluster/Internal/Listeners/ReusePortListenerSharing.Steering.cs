using System.Net;
using Roost.Clustering.Internal.Interop;
using Roost.Server.Internal;

namespace Roost.Clustering.Internal.Listeners;

/// <summary>
/// Steering for live scaling. Without it the kernel hashes each new connection onto any socket of the reuseport
/// group, including the socket of a slot nobody serves any more (a scaled-down slot): such connections would wait
/// forever, and closing that socket would reset them. So, from the first scale on, a classic BPF program
/// (<c>SO_ATTACH_REUSEPORT_CBPF</c>) picks a random socket among the active slots only; the sockets of inactive slots
/// stay open (nothing queued on them is reset) and are used again if the cluster grows.
/// </summary>
/// <remarks>
/// The program returns an index into the group's socket array, which is the order the sockets were bound in (the
/// kernel reorders it only when a socket closes, and the primary closes none before it exits).
/// </remarks>
internal sealed partial class ReusePortListenerSharing
{
    private readonly Dictionary<IPEndPoint, List<int>> _bindOrder = [];
    private HashSet<int>? _activeSlots;

    public void SetActiveSlots(IReadOnlyCollection<int> slots)
    {
        lock (Gate)
        {
            _activeSlots = [.. slots];
            foreach (var endPoint in _bindOrder.Keys)
            {
                Steer(endPoint);
            }
        }
    }

    public IReadOnlyList<(string EndPoint, int Slot, int Queued)> QueuedOnInactiveSlots()
    {
        lock (Gate)
        {
            if (_activeSlots is null)
            {
                return [];
            }

            var queued = new List<(string, int, int)>();
            foreach (var ((endPoint, slot), socket) in _sockets)
            {
                if (!_activeSlots.Contains(slot) && Libc.AcceptQueueLength((int)socket.Handle) is > 0 and var count)
                {
                    queued.Add((EndPointText.Describe(endPoint), slot, count));
                }
            }

            return queued;
        }
    }

    private void OnBound(IPEndPoint endPoint, int slot)
    {
        if (!_bindOrder.TryGetValue(endPoint, out var order))
        {
            _bindOrder[endPoint] = order = [];
        }

        order.Add(slot);
        if (_activeSlots is not null)
        {
            Steer(endPoint);
        }
    }

    private void Steer(IPEndPoint endPoint)
    {
        var order = _bindOrder[endPoint];
        var indices = order.Select((slot, index) => (Slot: slot, Index: index)).Where(p => _activeSlots!.Contains(p.Slot)).Select(p => p.Index).ToArray();
        if (indices.Length == 0)
        {
            // No active slot has a socket here yet: keep whatever spread the group has.
            return;
        }

        Libc.AttachReusePortSelector((int)_sockets[(endPoint, order[0])].Handle, indices);
    }
}
