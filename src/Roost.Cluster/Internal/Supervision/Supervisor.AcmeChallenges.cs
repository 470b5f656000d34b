using Microsoft.Extensions.Logging;
using Roost.Acme;
using Roost.Clustering.Internal.Ipc;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>
/// TLS-ALPN-01 challenges (docs/acme.md): the primary's ACME manager publishes them in <see cref="TlsAlpnChallenges"/>,
/// but the workers accept the serving port, so each one goes to every live worker, and the pending ones to each
/// worker and spare as it starts. Each worker acknowledges a challenge it now answers; the issuer tells the CA to
/// validate once every worker it was sent to did, exited, or <see cref="AcmeChallengeDistribution.HoldTimeout"/>
/// passed (those are named in a warning). (A spare started before a challenge and promoted while it is pending
/// misses it: the CA's attempt fails on that worker only and the order is retried.)
/// </summary>
internal sealed partial class Supervisor
{
    private readonly AcmeChallengeDistribution _acmeChallenges;

    private void SendAcmeChallenges(IpcChannel channel)
    {
        if (_acmeChallenges.StartWatching())
        {
            TlsAlpnChallenges.Changed += OnAcmeChallengeChanged;
        }

        foreach (var (name, digest) in TlsAlpnChallenges.Snapshot())
        {
            channel.Send(new AcmeChallengeMessage(name, Convert.ToBase64String(digest)));
        }
    }

    /// <summary>The supervisor stopped: its workers are gone, later challenges are not its own.</summary>
    private void StopAcmeChallenges()
    {
        if (_acmeChallenges.StopWatching())
        {
            TlsAlpnChallenges.Changed -= OnAcmeChallengeChanged;
        }
    }

    /// <summary>
    /// Raised on the ACME manager's thread, inside <see cref="TlsAlpnChallenges.Set"/>: reads the published table (as
    /// <see cref="Broadcast"/> does); each channel serialises its sends. A set challenge's acknowledgements become
    /// what <see cref="TlsAlpnChallenges.WhenHeldAsync"/> waits for.
    /// </summary>
    private void OnAcmeChallengeChanged(string name, byte[]? digest)
    {
        var text = digest is null ? null : Convert.ToBase64String(digest);
        var message = new AcmeChallengeMessage(name, text);
        var workers = _published.Values.Where(w => w.IsConnected).ToList();

        // Waited for before the first send: a worker's acknowledgement can reach the loop before this method returns.
        var unheld = text is null ? null : _acmeChallenges.Sent(name, text, [.. workers.Select(w => (w.Id, w.Pid))]);
        foreach (var worker in workers)
        {
            if (!worker.SendIpc(message))
            {
                // Its channel is closed: the worker is on its way out and cannot answer.
                _acmeChallenges.Gone(worker.Id);
            }
        }

        if (unheld is not null)
        {
            TlsAlpnChallenges.AddHolders(name, ReportUnheldAsync(name, unheld));
        }
    }

    private async Task ReportUnheldAsync(string name, Task<IReadOnlyList<(int Id, int Pid)>> unheld)
    {
        foreach (var (id, pid) in await unheld.ConfigureAwait(false))
        {
            Log.AcmeChallengeNotHeld(_logger, name, id, pid, (int)AcmeChallengeDistribution.HoldTimeout.TotalSeconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.AcmeChallengeNotHeld, LogLevel.Warning, "Worker {WorkerId} (pid {Pid}) did not acknowledge the TLS-ALPN-01 challenge for {Name} within {Seconds} s; the CA is asked to validate anyway, and its connection fails if it reaches that worker (the order is then retried). A worker that stays unresponsive is restarted when it misses its heartbeats.", EventName = "AcmeChallengeNotHeld")]
        public static partial void AcmeChallengeNotHeld(ILogger logger, string name, int workerId, int pid, int seconds);
    }
}
