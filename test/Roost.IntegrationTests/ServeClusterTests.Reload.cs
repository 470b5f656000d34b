using System.Net;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary><c>roost serve --workers 2</c>: rolling reload by SIGHUP to the primary.</summary>
public sealed partial class ServeClusterTests
{
    // Verifies: SIGHUP to the primary of `roost serve --workers 2` replaces both workers twice (generation 3) while
    // h2 and HTTP/1.1 (TLS, keep-alive) clients keep requesting: no request fails, and new worker pids serve.
    [Fact]
    public async Task Serve_TwoWorkers_TwoSighupReloadsUnderH2AndH1Load_NoFailedRequest()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var roost = StartRoost(Arguments(chain, port, "2"));
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        var oldWorkers = ProcessProbe.Children(roost.Pid).ToArray();
        using var h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        using var h1 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);
        // h2 clients retry what the server provably did not process (RFC 9113 §6.8), as the issue's h2 client does.
        var probe = new LoadProbe(keepAlive: true) { RetryUnprocessed = true };
        using var stop = new CancellationTokenSource();
        var url = $"https://localhost:{port}/";
        var loads = Task.WhenAll(probe.RunAsync(h2, url, concurrency: 2, stop.Token), probe.RunAsync(h1, url, concurrency: 2, stop.Token));
        try
        {
            await Task.Delay(1000, Ct);
            roost.Signal(1);
            await roost.WaitForLineAsync("Rolling reload to generation 2 done", Timeout);
            await Task.Delay(1000, Ct);
            roost.Signal(1);
            await roost.WaitForLineAsync("Rolling reload to generation 3 done", Timeout);
            await Task.Delay(2000, Ct);
        }
        finally
        {
            await stop.CancelAsync();
            await loads;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"2 reloads: {probe.Ok} requests ok, {probe.Failed} failed, {probe.Refused} refused, {probe.Retried} unprocessed sent again: {string.Join(" | ", probe.Errors.Take(10))}");
        Assert.Equal(0, probe.Failed + probe.Refused);
        Assert.True(probe.Ok > 0);
        // The last old worker may still be finishing its drain (keep-alive window + exit grace; slow on a loaded machine).
        var newWorkers = ProcessProbe.Children(roost.Pid).ToArray();
        using (var settle = new CancellationTokenSource(Timeout))
        {
            while (newWorkers.Intersect(oldWorkers).Any() && !settle.IsCancellationRequested)
            {
                await Task.Delay(100, Ct);
                newWorkers = ProcessProbe.Children(roost.Pid).ToArray();
            }
        }

        // 2 workers, plus the hot spare (roost serve's default) once the reload has started the new generation's one;
        // the old generation's spare was stopped when the reload started.
        Assert.InRange(newWorkers.Length, 2, 3);
        Assert.Empty(newWorkers.Intersect(oldWorkers));
        Assert.Contains(roost.Lines, l => l.Contains("generation 3) is ready", StringComparison.Ordinal));

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: a SIGHUP rolling reload of `roost serve --workers 2` under h2 load (4 connections, 4 streams each, a
    // client that follows RFC 9113 §6.8: after a GOAWAY it opens no new stream on that connection and reconnects)
    // refuses no stream: none ends above the last GOAWAY's last-stream-id (what nghttp2-based clients such as Node's
    // report as REFUSED_STREAM), none at or below it ends without its answer. The draining workers send GOAWAY(2^31-1)
    // first and keep serving for the grace period, then Kestrel's final GOAWAY.
    [Fact]
    public async Task Serve_TwoWorkers_SighupReloadUnderH2Load_RefusesNoStream()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var roost = StartRoost(Arguments(chain, port, "2"));
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        var probe = await Http2RefusalProbe.RunThroughReloadAsync(roost, "localhost", port, chain.Root, Timeout, Ct);

        TestContext.Current.TestOutputHelper?.WriteLine($"reload under h2 load: {probe}");
        Assert.True(probe.Answered > 0);
        Assert.Equal(0, probe.Refused);
        Assert.Equal(0, probe.Failed);
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }
}
