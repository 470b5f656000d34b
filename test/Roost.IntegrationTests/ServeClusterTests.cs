using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary><c>roost serve --workers N</c>: a managed cluster serving the welcome page over HTTPS (h2 + HTTP/1.1).</summary>
[Trait("Category", "Slow")]
public sealed partial class ServeClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestProcess StartRoost(IEnumerable<string> arguments) =>
        RoostCli.Start(arguments);

    private static string[] Arguments(TestChain chain, int port, string workers) =>
        ["serve", "--workers", workers, "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
         "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--shutdown-timeout", "10"];

    // Verifies: two workers serve the welcome page on the port the primary bound, over h2 and HTTP/1.1; a worker
    // killed with SIGKILL is replaced (managed mode is always on); SIGTERM stops everything with exit code 0.
    [Fact]
    public async Task Serve_TwoWorkers_ServeH2AndH1_RespawnAKilledWorker_StopWithZero()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        await using var roost = StartRoost(Arguments(chain, port, "2"));
        await ClusterHost.WaitForLinesAsync(roost, "", 1, Timeout);
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        using var h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        using var h1 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);

        using var r2 = await h2.GetAsync($"https://localhost:{port}/", Ct);
        using var r1 = await h1.GetAsync($"https://localhost:{port}/", Ct);
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        Assert.Equal(HttpVersion.Version20, r2.Version);
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);

        var worker = ProcessProbe.Children(roost.Pid).First();
        System.Diagnostics.Process.GetProcessById(worker).Kill();
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 3);
        using var fresh = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        using var after = await fresh.GetAsync($"https://localhost:{port}/", Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        Assert.Contains(roost.Lines, l => l.Contains("with 2 worker(s)", StringComparison.Ordinal));
    }

    // Verifies: a port in use is reported by the primary before any worker starts (exit code 6, the usual message).
    [Fact]
    public async Task Serve_PortInUse_PrimaryFailsBeforeForking()
    {
        using var chain = TestCertificates.CreateChain();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using var roost = StartRoost(Arguments(chain, port, "2"));

        var code = await roost.WaitForExitAsync(Timeout);

        Assert.Equal(6, code);
        Assert.Contains(roost.Lines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("already in use", StringComparison.Ordinal));
        Assert.DoesNotContain(roost.Lines, l => l.Contains("Forked worker", StringComparison.Ordinal));
    }

    // Verifies: a bad --workers value is a usage error (exit code 2) naming the option and the value.
    [Fact]
    public async Task Serve_WorkersNotANumber_IsAUsageError()
    {
        var (code, output) = await RoostCli.RunAsync(["serve", "--workers", "many"], Timeout);

        Assert.NotEqual(0, code);
        Assert.Contains("--workers must be 'auto' or a number from 0 to 1024; got 'many'.", output, StringComparison.Ordinal);
    }

    private static async Task WaitForCountAsync(TestProcess process, string contains, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (process.Lines.Count(l => l.Contains(contains, StringComparison.Ordinal)) < count)
        {
            Assert.False(process.HasExited, $"roost exited early:\n{process.Output}");
            await Task.Delay(50, cts.Token);
        }
    }
}
