using System.Text;
using Roost.Clustering.Internal;
using Roost.Clustering.Internal.Ipc;
using Roost.Testing;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// The TLS files the primary reads for workers started as another user (<see cref="ClusterOptions.WorkerTlsFiles"/>,
/// Supervisor.Privileges.cs) and the certificate reloads it runs in the workers (Supervisor.Certificates.cs), run for
/// real with stand-in workers on a fake clock (one supervisor tick per second advanced).
/// </summary>
public sealed class SupervisorTlsFilesTests
{
    /// <summary>
    /// Verifies that each worker gets the files at start; that a renewal is pushed only when two ticks in a row saw the
    /// same new contents (a change still under way — the certificate written, then the key — waits); that then every
    /// ready worker gets the new files followed by a certificate reload; and that a worker that does not answer the
    /// reload within its timeout is reported by id and pid while the one that answered is not.
    /// </summary>
    [Fact]
    public async Task RenewedFiles_PushedOnceSettled_EveryWorkerReloads_ASilentWorkerIsReported()
    {
        using var directory = new TempDirectory("roost-tlsfiles");
        var certificate = directory.Write("site.pem", "certificate 1");
        var key = directory.Write("site.key", "key 1");
        await using var harness = new SupervisorHarness(o => o.WorkerTlsFiles = new WorkerTlsFiles([certificate, key], watch: true));
        var first = await harness.ForkReadyAsync();
        var second = await harness.ForkReadyAsync();
        StandInWorker[] workers = [first, second];
        await UntilAsync(() => workers.All(w => w.CertificateMessages.Count == 1));
        Assert.All(workers, w => Assert.Equal(["certificate 1", "key 1"], Contents(Assert.IsType<TlsFilesMessage>(Assert.Single(w.CertificateMessages)))));

        // The renewal is written in two steps, a tick apart: nothing is pushed while it changes.
        await File.WriteAllTextAsync(certificate, "certificate 2", TestContext.Current.CancellationToken);
        await TickAsync(harness, first);
        await File.WriteAllTextAsync(key, "key 2", TestContext.Current.CancellationToken);
        await TickAsync(harness, first);
        Assert.All(workers, w => Assert.Single(w.CertificateMessages));
        Assert.Empty(harness.LogsOf(ClusterEventIds.TlsFilesChanged));

        // Unchanged for a tick: pushed, then reloaded, in that order, in every ready worker.
        await TickAsync(harness, first);
        await harness.WaitForLogAsync(ClusterEventIds.TlsFilesChanged);
        await UntilAsync(() => workers.All(w => w.CertificateMessages.Count == 3));
        foreach (var worker in workers)
        {
            var messages = worker.CertificateMessages.ToList();
            Assert.Equal(["certificate 2", "key 2"], Contents(Assert.IsType<TlsFilesMessage>(messages[1])));
            Assert.IsType<ReloadCertificatesMessage>(messages[2]);
        }

        var request = ((ReloadCertificatesMessage)first.CertificateMessages.Last()).RequestId;
        first.CertificatesReloaded(request);
        await TickAsync(harness, first);
        Assert.Empty(harness.LogsOf(ClusterEventIds.CertificatesReloadCompleted));

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await TickAsync(harness, first);
        var problem = await harness.WaitForLogAsync(ClusterEventIds.CertificatesReloadProblem);
        Assert.Contains($"Worker {second.Id} (pid {second.Pid}", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"Worker {first.Id} (pid", problem.Message, StringComparison.Ordinal);
        Assert.Contains("failed", (await harness.WaitForLogAsync(ClusterEventIds.CertificatesReloadCompleted)).Message, StringComparison.Ordinal);

        // Settled: no second push for the same contents.
        await TickAsync(harness, first);
        await TickAsync(harness, first);
        Assert.Single(harness.LogsOf(ClusterEventIds.TlsFilesChanged));
    }

    private static string[] Contents(TlsFilesMessage message) => [.. message.Files.Select(f => Encoding.UTF8.GetString(f.Data!))];

    private static async Task TickAsync(SupervisorHarness harness, StandInWorker via)
    {
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.SyncAsync(via);
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
