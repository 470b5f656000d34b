using Roost.Acme;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// TLS-ALPN-01 challenges from the primary's ACME manager, answered by this worker's TLS servers (docs/acme.md). The
/// worker acknowledges each challenge once it answers it: the primary tells the CA to validate only then.
/// </summary>
internal sealed partial class WorkerRuntime
{
    private void OnAcmeChallenge(AcmeChallengeMessage message)
    {
        if (message.Digest is null)
        {
            TlsAlpnChallenges.Remove(message.Name);
            return;
        }

        // A malformed digest is ignored: the primary only ever sends what TlsAlpnChallenges.Digest made.
        var digest = new byte[32];
        if (message.Name.Length > 0 && Convert.TryFromBase64String(message.Digest, digest, out var written) && written == digest.Length)
        {
            TlsAlpnChallenges.Set(message.Name, digest);
            _channel.Send(new AcmeChallengeHeldMessage(message.Name, message.Digest));
        }
    }
}
