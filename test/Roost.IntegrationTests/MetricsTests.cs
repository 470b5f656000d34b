using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// Cluster-wide metrics of <c>roost serve --workers N --admin …</c>: the Prometheus endpoint on the admin listener
/// counts exactly what h2load got answered, keeps counting across a <c>kill -9</c>ed worker (only requests in flight
/// on it may differ), and the admin listener is guarded (token, loopback rule, not on the serving port).
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class MetricsTests
{
    private const string Token = "metrics-test-token-0123456789";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: with a token, the admin listener answers 401 (and WWW-Authenticate: Bearer) without it or with a wrong
    // one, 200 with it; the serving port does not serve /metrics; h2load over h2 and over HTTP/1.1 with fixed request
    // counts: the scraped total of finished requests equals what h2load got answered (and the h1/h2 split too); a
    // worker killed with SIGKILL while h2load runs: its counts are kept (the slot's counter never goes backwards) and
    // the scraped total differs from h2load's answered count by at most the requests in flight (h2load -c × -m).
    [Fact]
    public async Task Metrics_ExactUnderH2load_AcrossAKill9_AndTheAdminListenerIsGuarded()
    {
        var h2load = ExternalTool.Require("h2load", "nghttp2-client");
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        var adminPort = FreePort.Get();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "2", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--shutdown-timeout", "5",
             "--admin", $"127.0.0.1:{adminPort}"],
            environment: new Dictionary<string, string?> { ["ROOST_ADMIN_TOKEN"] = Token },
            name: "roost");
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/"), Timeout = TimeSpan.FromSeconds(30) };

        // The guard.
        using (var anonymous = await admin.GetAsync("metrics", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Empty(await anonymous.Content.ReadAsStringAsync(Ct));
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "api/metrics"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
            using var response = await admin.SendAsync(wrong, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var serving = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20))
        {
            using var response = await serving.GetAsync($"https://localhost:{port}/metrics", Ct);
            Assert.DoesNotContain("http_server_request_duration_seconds", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            using var api = await serving.GetAsync($"https://localhost:{port}/api/metrics", Ct);
            Assert.DoesNotContain("\"supervision\"", await api.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // Exact counts, h2 then HTTP/1.1 (the two requests above on the serving port count too).
        var before = await ScrapeAsync(admin);
        var h2 = await RunH2loadAsync(h2load, ["-n", "3000", "-c", "4", "-m", "10", $"https://127.0.0.1:{port}/"]);
        var h1 = await RunH2loadAsync(h2load, ["-n", "1000", "-c", "4", "--h1", $"https://127.0.0.1:{port}/"]);
        Assert.Equal((3000, 1000), (h2, h1));
        var after = await ScrapeAsync(admin);
        Assert.Equal(before.Total + 4000, after.Total);
        Assert.Equal(before.Http2 + 3000, after.Http2);
        Assert.Equal(before.Http1 + 1000, after.Http1);

        // A worker killed halfway through a load.
        var loadStart = await ScrapeAsync(admin);
        await using var load = TestProcess.Start(h2load, ["-n", "20000", "-c", "4", "-m", "4", $"https://127.0.0.1:{port}/"], name: "h2load");
        var victim = await WaitForBusyWorkerAsync(admin, loadStart.Total + 2000);
        var beforeKill = await ScrapeAsync(admin);
        ProcessProbe.Signal(victim.Pid, 9);
        await load.WaitForExitAsync(Timeout);
        var answered = Succeeded(load.Output);
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 3);
        var afterKill = await ScrapeAsync(admin);

        // The killed worker's slot keeps its count: nothing goes backwards.
        Assert.True(afterKill.BySlot[victim.Slot] >= beforeKill.BySlot[victim.Slot], $"slot {victim.Slot}: {beforeKill.BySlot[victim.Slot]} → {afterKill.BySlot[victim.Slot]}");
        // Only requests in flight on the killed worker's connections (at most -c × -m = 16) may be counted without
        // reaching h2load, or reach h2load without being counted.
        var counted = afterKill.Total - loadStart.Total;
        Assert.True(Math.Abs(counted - answered) <= 16, $"scraped {counted} finished requests, h2load got {answered} answered\n{load.Output}");
        Assert.Contains("roost_cluster_worker_exits_total{cause=\"unexpected\"} 1", afterKill.Text, StringComparison.Ordinal);

        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: `roost run` of the unmodified HelloApp (no Roost reference; the startup hook runs in its process): the
    // app's own ASP.NET Core meters feed the workers' blocks, so /metrics counts exactly what h2load got answered.
    [Fact]
    public async Task Metrics_RoostRunOfAnUnmodifiedApp_CountsExactly()
    {
        var h2load = ExternalTool.Require("h2load", "nghttp2-client");
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        var adminPort = FreePort.Get();
        await using var roost = RoostCli.Start(
            ["run", RepoPaths.ProjectDll("samples", "HelloApp"), "--workers", "2", "--port", port.ToString(CultureInfo.InvariantCulture),
             "--host", "127.0.0.1", "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath,
             "--shutdown-timeout", "5", "--admin", adminPort.ToString(CultureInfo.InvariantCulture)],
            name: "roost-run");
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/"), Timeout = TimeSpan.FromSeconds(30) };

        var before = await ScrapeAsync(admin);
        var answered = await RunH2loadAsync(h2load, ["-n", "600", "-c", "2", "-m", "5", $"https://127.0.0.1:{port}/"]);
        var after = await ScrapeAsync(admin);

        Assert.Equal(600, answered);
        Assert.Equal(before.Total + 600, after.Total);
        Assert.Equal(before.Http2 + 600, after.Http2);
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: an admin listener on a non-loopback address without a token is refused before anything starts
    // (usage error, exit code 2), with a message naming the address and what to do.
    [Fact]
    public async Task Admin_NonLoopbackWithoutToken_IsRefusedAtStart()
    {
        var adminPort = FreePort.Get();
        var (code, output) = await RoostCli.RunAsync(
            ["serve", "--workers", "1", "--port", "0", "--host", "127.0.0.1", "--admin", $"0.0.0.0:{adminPort}"], Timeout);

        Assert.Equal(2, code);
        Assert.Contains($"error: The admin listener '0.0.0.0:{adminPort}' is not a loopback address and has no token", output, StringComparison.Ordinal);
        Assert.Contains("--admin-token", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Forked worker", output, StringComparison.Ordinal);
    }

    // Verifies: --admin-cert/--admin-key make the admin listener speak HTTPS (h2 over TLS) with the given certificate
    // and the chain after the leaf in its file, announced as https://; one of the two without the other is refused
    // before anything starts (usage error, exit code 2), naming the flag, the file and what to do.
    [Fact]
    public async Task Admin_CertAndKey_ServeHttps_OneWithoutTheOtherIsRefused()
    {
        using var chain = TestCertificates.CreateChain();
        var adminPort = FreePort.Get();
        var (code, output) = await RoostCli.RunAsync(
            ["serve", "--workers", "1", "--port", "0", "--host", "127.0.0.1", "--admin", adminPort.ToString(CultureInfo.InvariantCulture), "--admin-cert", chain.LeafPath], Timeout);
        Assert.Equal(2, code);
        Assert.Contains($"error: --admin-cert '{chain.LeafPath}' needs --admin-key too", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Forked worker", output, StringComparison.Ordinal);

        var certWithChain = Path.Combine(chain.Directory.Path, "admin-with-chain.pem");
        await File.WriteAllTextAsync(certWithChain, TestCertificates.Pem(chain.Leaf, chain.Intermediate), Ct);
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "1", "--no-hot-spare", "--port", "0", "--host", "127.0.0.1", "--shutdown-timeout", "5",
             "--admin", $"127.0.0.1:{adminPort}", "--admin-cert", certWithChain, "--admin-key", chain.KeyPath],
            environment: new Dictionary<string, string?> { ["ROOST_ADMIN_TOKEN"] = Token },
            name: "roost");
        await roost.WaitForLineAsync($"Admin listener https://127.0.0.1:{adminPort}/", Timeout);
        using var admin = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var metrics = await admin.GetAsync($"https://127.0.0.1:{adminPort}/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpVersion.Version20, metrics.Version);
        Assert.Contains("roost_", await metrics.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: with --otlp, every worker exports its meters (ASP.NET Core's http.server.request.duration among them)
    // to the collector as its own service.instance.id (host/primary-pid/worker-ID), and the primary exports the
    // supervision counters as host/primary-pid/primary. The collector is a plain HTTP listener taking OTLP/HTTP posts.
    [Fact]
    public async Task Otlp_EveryWorkerAndThePrimaryExport_EachWithItsOwnInstanceId()
    {
        using var chain = TestCertificates.CreateChain();
        var port = FreePort.Get();
        var collectorPort = FreePort.Get();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{collectorPort}/");
        collector.Start();
        var bodies = new System.Collections.Concurrent.ConcurrentQueue<(string Path, string Text)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(Timeout);
        var receiving = Task.Run(
            async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await collector.GetContextAsync().WaitAsync(stop.Token);
                using var buffer = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(buffer, stop.Token);
                // Protobuf keeps strings as UTF-8 bytes: names and attribute values can be found in the body as text.
                bodies.Enqueue((context.Request.Url!.AbsolutePath, System.Text.Encoding.Latin1.GetString(buffer.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        },
            Ct);

        await using var roost = RoostCli.Start(
            ["serve", "--workers", "2", "--no-hot-spare", "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
             "--cert", chain.LeafPath, "--key", chain.KeyPath, "--ca", chain.IntermediatePath, "--shutdown-timeout", "5",
             "--otlp", $"http://127.0.0.1:{collectorPort}"],
            environment: new Dictionary<string, string?> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "500" },
            name: "roost");
        await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 2);
        var workerPids = ProcessProbe.Children(roost.Pid);
        using (var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20))
        {
            for (var i = 0; i < 4; i++)
            {
                using var response = await client.GetAsync($"https://localhost:{port}/", Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var primary = $"/{roost.Pid}/primary";
        while (!(bodies.Any(b => b.Text.Contains(primary, StringComparison.Ordinal) && b.Text.Contains("roost.cluster.worker.starts", StringComparison.Ordinal))
            && bodies.Any(b => b.Text.Contains("http.server.request.duration", StringComparison.Ordinal))
            && WorkerInstances(bodies).Count == 2))
        {
            Assert.False(roost.HasExited, roost.Output);
            await Task.Delay(100, stop.Token);
        }

        Assert.All(bodies, b => Assert.Equal("/v1/metrics", b.Path));
        Assert.Contains(bodies, b => b.Text.Contains("service.instance.id", StringComparison.Ordinal));
        Assert.Equal(2, workerPids.Count);
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving);

        HashSet<string> WorkerInstances(IEnumerable<(string Path, string Text)> received) =>
            [.. received.SelectMany(b => WorkerInstance().Matches(b.Text).Select(m => m.Value)).Where(v => v.Contains($"/{roost.Pid}/", StringComparison.Ordinal))];
    }

    private static async Task<(int Pid, int Slot)> WaitForBusyWorkerAsync(HttpClient admin, long requests)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            using var snapshot = JsonDocument.Parse(await admin.GetStringAsync("api/metrics", cts.Token));
            var root = snapshot.RootElement;
            if (root.GetProperty("totals").GetProperty("counts").GetProperty("requests").GetInt64() >= requests)
            {
                var busy = root.GetProperty("workers").EnumerateArray()
                    .Where(w => w.GetProperty("state").GetString() == "ready")
                    .OrderByDescending(w => w.GetProperty("counts").GetProperty("activeConnections").GetInt64())
                    .First();
                return (busy.GetProperty("pid").GetInt32(), busy.GetProperty("slot").GetInt32());
            }

            await Task.Delay(20, cts.Token);
        }
    }

    private static async Task<int> RunH2loadAsync(string h2load, string[] arguments)
    {
        var (code, output) = await TestProcess.RunAsync(h2load, arguments, Timeout);
        Assert.True(code == 0, output);
        return Succeeded(output);
    }

    private static int Succeeded(string output)
    {
        var match = RequestsLine().Match(output);
        Assert.True(match.Success, output);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<Scrape> ScrapeAsync(HttpClient admin)
    {
        var text = await admin.GetStringAsync("metrics", Ct);
        var bySlot = new Dictionary<int, long>();
        long http1 = 0, http2 = 0;
        foreach (Match m in SampleLine().Matches(text))
        {
            var slot = int.Parse(m.Groups["worker"].Value, CultureInfo.InvariantCulture);
            var value = long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            switch (m.Groups["name"].Value)
            {
                case "http_server_request_duration_seconds_count":
                    bySlot[slot] = value;
                    break;
                case "roost_http_server_requests_total" when m.Groups["version"].Value == "2":
                    http2 += value;
                    break;
                case "roost_http_server_requests_total":
                    http1 += value;
                    break;
            }
        }

        return new Scrape(text, bySlot, bySlot.Values.Sum(), http1, http2);
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

    [GeneratedRegex(@"[\w.-]+/\d+/worker-\d+")]
    private static partial Regex WorkerInstance();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^(?<name>http_server_request_duration_seconds_count|roost_http_server_requests_total)\{worker=""(?<worker>\d+)""(?:,network_protocol_version=""(?<version>[^""]+)"")?\} (?<value>\d+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    private sealed record Scrape(string Text, Dictionary<int, long> BySlot, long Total, long Http1, long Http2);
}
