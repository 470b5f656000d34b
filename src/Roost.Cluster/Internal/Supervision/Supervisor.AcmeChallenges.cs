using Roost.Acme;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// TLS-ALPN-01 challenges (docs/acme.md): the primary's ACME manager publishes them in <see cref="TlsAlpnChallenges"/>,
/// but the workers accept the serving port, so each one goes to every live worker, and the pending ones to each
/// worker and spare as it starts. (A spare started before a challenge and promoted while it is pending misses it: the
/// CA's attempt fails on that worker only and the order is retried.)
/// </summary>
internal sealed partial class Supervisor
{
    private int _acmeChallengesWatched;

    private void SendAcmeChallenges(IpcChannel channel)
    {
        if (Interlocked.Exchange(ref _acmeChallengesWatched, 1) == 0)
        {
            TlsAlpnChallenges.Changed += OnAcmeChallengeChanged;
        }

        foreach (var (name, digest) in TlsAlpnChallenges.Snapshot())
        {
            channel.Send(new AcmeChallengeMessage(name, Convert.ToBase64String(digest)));
        }
    }

    /// <summary>Raised on the ACME manager's thread: reads the published table (as <see cref="Broadcast"/> does); each channel serialises its sends.</summary>
    private void OnAcmeChallengeChanged(string name, byte[]? digest)
    {
        var message = new AcmeChallengeMessage(name, digest is null ? null : Convert.ToBase64String(digest));
        foreach (var worker in _published.Values)
        {
            if (worker.IsConnected)
            {
                worker.SendIpc(message);
            }
        }
    }
}
