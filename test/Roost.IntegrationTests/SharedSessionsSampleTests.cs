using System.Globalization;
using System.Net;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>samples/SharedSessions as a reader runs it: two requests with one cookie jar count 1, 2, and the count continues after the answering worker is SIGKILLed.</summary>
[Trait("Category", "Slow")]
public sealed class SharedSessionsSampleTests
{
    [Fact]
    public async Task SharedSessions_OneCookieJar_CountsOneTwoAndContinuesAfterWorkerKilled()
    {
        using var workDir = new TempDirectory("roost-shared-sessions");
        var port = FreePort.Get();
        await using var process = ClusterHost.Start(port, new Dictionary<string, string?> { ["STATE"] = workDir.File("state") }, "SharedSessions", "samples");
        var workers = await ClusterHost.WaitForLinesAsync(process, "worker ", 2, ClusterHost.StartTimeout);
        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            var first = await client.GetStringAsync(url, TestContext.Current.CancellationToken);
            var second = await client.GetStringAsync(url, TestContext.Current.CancellationToken);

            Assert.StartsWith("visit 1 (answered by worker pid ", first, StringComparison.Ordinal);
            Assert.StartsWith("visit 2 (answered by worker pid ", second, StringComparison.Ordinal);

            // Kill the worker that answered (a pid the primary reported); the next answer comes from another and counts on.
            var answered = int.Parse(second.Split("pid ")[1].TrimEnd(')', '\n'), CultureInfo.InvariantCulture);
            Assert.Contains(workers, l => l.StartsWith($"worker {answered} listening", StringComparison.Ordinal));
            System.Diagnostics.Process.GetProcessById(answered).Kill();
            await process.WaitForLineAsync($"worker {answered} exited", TimeSpan.FromSeconds(30));
            var third = await client.GetStringAsync(url, TestContext.Current.CancellationToken);
            Assert.StartsWith("visit 3 (answered by worker pid ", third, StringComparison.Ordinal);
            Assert.DoesNotContain($"pid {answered})", third, StringComparison.Ordinal);
        }
        finally
        {
            ClusterHost.KillAll(process.Lines.Where(l => l.EndsWith(" listening", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)));
        }
    }
}
