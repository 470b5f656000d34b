using Roost.Chaos;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// Chaos under load, short (benchmarks/chaos runs the 5-minute random version): roost serve --workers 2 under mixed
/// h2 + HTTP/1.1 load while one worker is stopped (SIGSTOP) until the heartbeat replaces it, one is killed (SIGKILL),
/// the cluster reloads (SIGHUP), the certificate files are swapped, and it scales up and back down.
/// </summary>
public sealed class ChaosTests
{
    /// <summary>
    /// Verifies: every action settles (the heartbeat kills and replaces the stopped worker, the killed one is replaced,
    /// the reload finishes, the new certificate is served, both scales finish); every failed request was on a
    /// connection held by the stopped or killed worker, and there are no more of them than requests in flight there
    /// when it was frozen plus those sent on those connections before the client saw them close (both measured); no
    /// h2 stream is refused or reset; the cluster ends with the 2 workers asked for; the primary exits 0 on SIGTERM and
    /// leaves no process behind.
    /// </summary>
    [Fact]
    public async Task ChaosUnderLoad_EveryFailureOnAKilledWorker_NoRefusedStreams_NoOrphans()
    {
        var output = TestContext.Current.TestOutputHelper;
        var result = await ChaosResult.RunAsync(
            new ChaosRunOptions
            {
                Roost = RoostCli.Command,
                Workers = 2,
                Http2Connections = 2,
                Http2Streams = 3,
                Http1Connections = 2,
                // A few ms between requests per loop: the load keeps requests in flight without taking both cores from
                // the tests running beside it.
                LoadPause = TimeSpan.FromMilliseconds(2),
                Actions = [ChaosAction.Hang, ChaosAction.Kill, ChaosAction.Reload, ChaosAction.CertificateSwap, ChaosAction.ScaleUp, ChaosAction.ScaleDown],
                Log = line => output?.WriteLine(line),
            },
            TestContext.Current.CancellationToken);
        var report = result.ToMarkdown("chaos (CI)");
        output?.WriteLine(report);

        Assert.All(result.Events, e => Assert.True(e.Ok, $"{e.Action} did not settle: {e.What}\n{report}"));
        Assert.Equal(6, result.Events.Count);
        Assert.True(result.Load.Http2.AnsweredCount > 0 && result.Load.Http1.AnsweredCount > 0, report);
        Assert.True(result.Load.FailedUnaccounted == 0, $"{result.Load.FailedUnaccounted} failure(s) on connections no kill accounts for:\n{report}");
        Assert.True(
            result.Load.FailedOnKilledWorkers <= result.InFlightAtKills + result.Load.SentAfterDoom,
            $"{result.Load.FailedOnKilledWorkers} failure(s) on the killed workers' connections, but only {result.InFlightAtKills} + {result.Load.SentAfterDoom} request(s) were exposed:\n{report}");
        Assert.Equal(0, result.Load.Http2.RefusedCount);
        Assert.Empty(result.Load.ResetsByCode);
        Assert.Equal(2, result.ExpectedWorkers);
        Assert.Equal(2, result.FinalWorkers);
        Assert.Equal(0, result.PrimaryExitCode);
        Assert.Empty(result.Orphans);
        Assert.Contains(result.Samples, s => s.OpenFiles > 0 && s.RssKilobytes > 0);
    }
}
