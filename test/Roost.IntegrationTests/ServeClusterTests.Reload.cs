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
        var ok = 0;
        var failures = new List<string>();
        using var stop = new CancellationTokenSource();
        async Task LoopAsync(HttpClient client)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync($"https://localhost:{port}/", CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref ok);
                        continue;
                    }

                    lock (failures)
                    {
                        failures.Add($"status {(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    lock (failures)
                    {
                        failures.Add(ex.InnerException?.Message ?? ex.Message);
                    }
                }
            }
        }

        var loads = Task.WhenAll(Enumerable.Range(0, 2).SelectMany(_ => new[] { Task.Run(() => LoopAsync(h2)), Task.Run(() => LoopAsync(h1)) }));
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

        TestContext.Current.TestOutputHelper?.WriteLine($"2 reloads: {ok} requests ok, {failures.Count} failed: {string.Join(" | ", failures.Take(10))}");
        Assert.Empty(failures);
        Assert.True(ok > 0);
        // The last old worker may still be finishing its drain (keep-alive window + exit grace; slow on a loaded machine).
        var newWorkers = ProcessProbe.Children(roost.Pid).ToArray();
        using (var settle = new CancellationTokenSource(Timeout))
        {
            while (newWorkers.Length != 2 && !settle.IsCancellationRequested)
            {
                await Task.Delay(100, Ct);
                newWorkers = ProcessProbe.Children(roost.Pid).ToArray();
            }
        }

        Assert.Equal(2, newWorkers.Length);
        Assert.Empty(newWorkers.Intersect(oldWorkers));
        Assert.Contains(roost.Lines, l => l.Contains("generation 3) is ready", StringComparison.Ordinal));

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }
}
