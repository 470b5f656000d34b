using System.Reflection;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The hand-off of a TLS-ALPN-01 challenge from the primary's ACME manager to the workers (Supervisor.AcmeChallenges.cs,
/// <c>AcmeChallengeDistribution</c>), run for real with stand-in workers on a fake clock: the issuer may tell the CA to
/// validate (<c>TlsAlpnChallenges.WhenHeldAsync</c>) only once every live worker acknowledged the challenge,
/// or exited, or the bounded wait passed — then the worker that did not answer is named.
/// </summary>
/// <remarks>The challenge table is process-wide: this class runs alone, so no other test's supervisor hands it on too.</remarks>
[Collection(nameof(AcmeChallengeTable))]
public sealed class SupervisorAcmeChallengeTests
{
    /// <summary>
    /// Verifies that a published challenge reaches both ready workers, that the wait is not over after one worker's
    /// acknowledgement (nor after one for another digest), that it is over after the second's, and that for a second
    /// challenge a worker that exits no longer holds the wait up while one that stays silent does until the hold
    /// timeout, after which it is named with its id and pid.
    /// </summary>
    [Fact]
    public async Task Challenge_CaIsToldOnlyWhenEveryWorkerHoldsIt_ASilentWorkerIsNamedAfterTheTimeout()
    {
        await using var harness = new SupervisorHarness();
        var first = await harness.ForkReadyAsync();
        var second = await harness.ForkReadyAsync();
        var third = await harness.ForkReadyAsync();
        const string name = "held.roost.test";
        try
        {
            ChallengeTable.Set(name, ChallengeTable.Digest("token.thumbprint"));
            var held = ChallengeTable.WhenHeldAsync(name);
            await UntilAsync(() => first.AcmeChallenges.Count == 1 && second.AcmeChallenges.Count == 1 && third.AcmeChallenges.Count == 1);
            var challenge = first.AcmeChallenges.Single();
            Assert.Equal(name, challenge.Name);

            first.HoldAcmeChallenge(challenge);
            second.HoldAcmeChallenge(challenge with { Digest = Convert.ToBase64String(ChallengeTable.Digest("older")) });
            await harness.SyncAsync(first);
            await harness.SyncAsync(second);
            Assert.False(held.IsCompleted, "the CA would be told while two workers do not hold the challenge yet");

            second.HoldAcmeChallenge(challenge);
            third.HoldAcmeChallenge(challenge);
            await held.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
            Assert.Empty(harness.LogsOf(ClusterEventIds.AcmeChallengeNotHeld));

            // A renewal's challenge: the first worker answers, the second exits, the third stays silent.
            ChallengeTable.Set(name, ChallengeTable.Digest("renewal.thumbprint"));
            var renewal = ChallengeTable.WhenHeldAsync(name);
            await UntilAsync(() => third.AcmeChallenges.Count == 2 && first.AcmeChallenges.Count == 2 && second.AcmeChallenges.Count == 2);
            first.HoldAcmeChallenge(first.AcmeChallenges.Last());
            second.Kill();
            await harness.ExitedAsync(second);
            second.MarkExited();
            await harness.SyncAsync(first);
            Assert.False(renewal.IsCompleted, "the CA would be told while a live worker does not hold the challenge");

            harness.Time.Advance(AcmeChallengeDistribution.HoldTimeout);
            await renewal.WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
            var warning = Assert.Single(harness.LogsOf(ClusterEventIds.AcmeChallengeNotHeld));
            Assert.Contains($"Worker {third.Id} (pid {third.Pid})", warning.Message, StringComparison.Ordinal);
            Assert.Contains(name, warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            ChallengeTable.Remove(name);
        }
    }

    /// <summary>
    /// Verifies that acknowledgements sent the moment the challenge arrives (a worker runtime answers within
    /// microseconds, possibly before the primary's ACME thread returns from publishing) count: the wait ends without
    /// the hold timeout and nothing is reported.
    /// </summary>
    [Fact]
    public async Task Challenge_AcknowledgedAtOnce_WaitEndsWithoutTheTimeout()
    {
        await using var harness = new SupervisorHarness();
        StandInWorker[] workers = [await harness.ForkReadyAsync(), await harness.ForkReadyAsync()];
        foreach (var worker in workers)
        {
            worker.HoldAcmeChallengesAtOnce = true;
        }

        const string name = "quick.roost.test";
        try
        {
            for (var i = 0; i < 20; i++)
            {
                ChallengeTable.Set(name, ChallengeTable.Digest($"token{i}.thumbprint"));
                await ChallengeTable.WhenHeldAsync(name).WaitAsync(SupervisorHarness.Timeout, TestContext.Current.CancellationToken);
            }

            Assert.All(workers, w => Assert.Equal(20, w.AcmeChallenges.Count));
            Assert.Empty(harness.LogsOf(ClusterEventIds.AcmeChallengeNotHeld));
        }
        finally
        {
            ChallengeTable.Remove(name);
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(SupervisorHarness.Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

/// <summary>Tests that publish in the process-wide <c>TlsAlpnChallenges</c> table run alone.</summary>
[CollectionDefinition(nameof(AcmeChallengeTable), DisableParallelization = true)]
public sealed class AcmeChallengeTable;

/// <summary>
/// Roost.Server's <c>Roost.Acme.TlsAlpnChallenges</c>, which the primary's ACME issuer publishes in and waits on. Reached
/// by reflection: Roost.Server keeps its internals from this project (only Roost.Cluster sees them).
/// </summary>
internal static class ChallengeTable
{
    private static readonly Type Table = typeof(HttpServer).Assembly.GetType("Roost.Acme.TlsAlpnChallenges", throwOnError: true)!;

    public static byte[] Digest(string keyAuthorization) => (byte[])Call(nameof(Digest), keyAuthorization)!;

    public static void Set(string name, byte[] digest) => Call(nameof(Set), name, digest);

    public static Task WhenHeldAsync(string name) => (Task)Call(nameof(WhenHeldAsync), name)!;

    public static void Remove(string name) => Call(nameof(Remove), name);

    private static object? Call(string method, params object[] arguments) =>
        Table.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);
}
