using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Roost.Testing;
using Roost.Tls;

namespace Roost.FunctionalTests.Tls;

/// <summary>
/// Hot reload under load (issue 3): h2load holds connections, repeated short h2load runs and an HTTP/1.1 client open
/// new ones, another HTTP/1.1 client keeps one connection, while the certificate files are replaced 10 times (in-place
/// writes, atomic renames, a bad file, two-step writes). Verifies 0 failed handshakes and requests, that new handshakes
/// see each new serial within 2 s, and that the bad file is reported while the old certificate keeps serving.
/// Load is bounded (h2load --rps) because the machine's cores are shared.
/// </summary>
public sealed partial class CertificateReloadUnderLoadTests
{
    private static readonly TimeSpan SwapDeadline = TimeSpan.FromSeconds(2);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TenReplacementsUnderLoad_NoFailures_NewSerialWithin2Seconds()
    {
        var h2load = ExternalTool.Require("h2load", "nghttp2-client");
        var token = TestContext.Current.CancellationToken;
        var log = TestContext.Current.TestOutputHelper;
        using var chain = TestCertificates.CreateChain();
        var options = chain.ServerOptions(allowHttp1: true);
        options.CertificateReloadSettleTime = TimeSpan.FromSeconds(1.5);
        await using var server = Http2.CreateSecureServer(options, (_, res) => res.End("ok"));
        await server.ListenAsync(0, "127.0.0.1", token);
        var url = $"https://127.0.0.1:{server.Port}/";
        var rejected = 0;
        server.CertificateReloaded += (_, e) =>
        {
            if (e.Outcome.Status == CertificateReloadStatus.Rejected)
            {
                Interlocked.Increment(ref rejected);
            }
        };

        using var stop = new CancellationTokenSource();
        var held = RunH2LoadAsync(h2load, ["-D", "14", "-c", "4", "-m", "4", "--rps", "40", url], token);
        var fresh = RunFreshH2LoadLoopAsync(h2load, url, stop.Token);
        var keepAlive = RunHttp11LoopAsync(chain.Root, url, newConnectionEachRequest: false, stop.Token);
        var reconnecting = RunHttp11LoopAsync(chain.Root, url, newConnectionEachRequest: true, stop.Token);
        await Task.Delay(500, token);

        List<double> swapMs = [];
        var kinds = new[] { "in-place", "rename", "bad", "rename", "two-step", "in-place", "rename", "two-step", "rename", "in-place" };
        var current = chain.Leaf.SerialNumber;
        var probes = 0;
        foreach (var kind in kinds)
        {
            if (kind == "bad")
            {
                var before = Volatile.Read(ref rejected);
                File.WriteAllText(chain.LeafPath, "garbage written by a broken renewal script\n");
                var waited = Stopwatch.StartNew();
                while (Volatile.Read(ref rejected) == before && waited.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(50, token);
                }

                Assert.True(Volatile.Read(ref rejected) > before, "The bad file was not reported.");
                using var still = await TlsProbe.GetServerCertificateAsync(server.Port, cancellationToken: token);
                probes++;
                Assert.Equal(current, still.SerialNumber);
                log?.WriteLine($"bad file rejected after {waited.ElapsedMilliseconds} ms; still serving {current}");
                continue;
            }

            using var renewed = chain.Renew();
            var swapStarted = Stopwatch.StartNew();
            await ReplaceAsync(kind, chain, renewed, token);
            var elapsed = await TlsProbe.WaitForSerialAsync(server.Port, renewed.SerialNumber, SwapDeadline + (kind == "two-step" ? TimeSpan.FromMilliseconds(500) : TimeSpan.Zero));
            probes++;

            // For two-step writes the swap is when the key (the second file) lands: 500 ms after the start.
            var sinceComplete = kind == "two-step" ? swapStarted.Elapsed - TimeSpan.FromMilliseconds(500) : swapStarted.Elapsed;
            swapMs.Add(sinceComplete.TotalMilliseconds);
            log?.WriteLine($"{kind}: new serial {renewed.SerialNumber} seen {sinceComplete.TotalMilliseconds:F0} ms after the files were complete (probe wait {elapsed.TotalMilliseconds:F0} ms)");
            Assert.True(sinceComplete < SwapDeadline, $"{kind}: new serial after {sinceComplete.TotalMilliseconds:F0} ms.");
            current = renewed.SerialNumber;
            await Task.Delay(300, token);
        }

        var heldResult = await held;
        await stop.CancelAsync();
        var freshResult = await fresh;
        var keepAliveResult = await keepAlive;
        var reconnectingResult = await reconnecting;

        log?.WriteLine($"h2load held connections: {heldResult}");
        log?.WriteLine($"h2load fresh connections: {freshResult}");
        log?.WriteLine($"HTTP/1.1 keep-alive: {keepAliveResult}");
        log?.WriteLine($"HTTP/1.1 new connection per request: {reconnectingResult}");
        log?.WriteLine($"swap latency ms: {string.Join(", ", swapMs.Select(m => m.ToString("F0", CultureInfo.InvariantCulture)))}; max {swapMs.Max():F0}");
        Assert.Equal(9, swapMs.Count);
        Assert.Equal(1, rejected);
        Assert.True(heldResult.Succeeded > 0 && heldResult.Failed == 0, $"h2load (held): {heldResult}");
        Assert.True(freshResult.Succeeded > 0 && freshResult.Failed == 0, $"h2load (fresh): {freshResult}");
        Assert.True(keepAliveResult.Succeeded > 0 && keepAliveResult.Failed == 0, $"HTTP/1.1 keep-alive: {keepAliveResult}");
        Assert.True(reconnectingResult.Succeeded > 0 && reconnectingResult.Failed == 0, $"HTTP/1.1 reconnecting: {reconnectingResult}");
        Assert.True(probes >= 10);
    }

    private static async Task ReplaceAsync(string kind, TestChain chain, X509Certificate2 renewed, CancellationToken token)
    {
        var cert = TestCertificates.Pem(renewed);
        var key = TestCertificates.KeyPem(renewed);
        switch (kind)
        {
            case "in-place":
                await File.WriteAllTextAsync(chain.KeyPath, key, token);
                await File.WriteAllTextAsync(chain.LeafPath, cert, token);
                break;
            case "rename":
                await File.WriteAllTextAsync(chain.LeafPath + ".new", cert, token);
                await File.WriteAllTextAsync(chain.KeyPath + ".new", key, token);
                File.Move(chain.LeafPath + ".new", chain.LeafPath, overwrite: true);
                File.Move(chain.KeyPath + ".new", chain.KeyPath, overwrite: true);
                break;
            case "two-step":
                // Certificate first; the key follows half a second later (the pair does not match in between).
                await File.WriteAllTextAsync(chain.LeafPath, cert, token);
                await Task.Delay(500, token);
                await File.WriteAllTextAsync(chain.KeyPath, key, token);
                break;
        }
    }

    private static async Task<LoadResult> RunH2LoadAsync(string h2load, string[] arguments, CancellationToken token)
    {
        var (code, output) = await TestProcess.RunAsync(h2load, arguments, TimeSpan.FromSeconds(60));
        var match = RequestsLine().Match(output);
        if (!match.Success)
        {
            return new LoadResult(0, 1, $"h2load exited {code} without a summary: {output}");
        }

        var succeeded = int.Parse(match.Groups["ok"].Value, CultureInfo.InvariantCulture);
        var failed = int.Parse(match.Groups["failed"].Value, CultureInfo.InvariantCulture)
            + int.Parse(match.Groups["errored"].Value, CultureInfo.InvariantCulture)
            + int.Parse(match.Groups["timeout"].Value, CultureInfo.InvariantCulture);
        return new LoadResult(succeeded, failed + (code == 0 ? 0 : 1), match.Value);
    }

    private static async Task<LoadResult> RunFreshH2LoadLoopAsync(string h2load, string url, CancellationToken stop)
    {
        var total = new LoadResult(0, 0, string.Empty);
        var runs = 0;
        while (!stop.IsCancellationRequested)
        {
            // 4 new TLS connections per run, 20 requests each.
            var run = await RunH2LoadAsync(h2load, ["-n", "80", "-c", "4", "-m", "2", "--rps", "100", url], CancellationToken.None);
            runs++;
            total = new LoadResult(total.Succeeded + run.Succeeded, total.Failed + run.Failed, run.Failed > 0 ? run.Detail : total.Detail);
        }

        return total with { Detail = $"{runs} runs ({runs * 4} handshakes) {total.Detail}" };
    }

    private static async Task<LoadResult> RunHttp11LoopAsync(X509Certificate2 root, string url, bool newConnectionEachRequest, CancellationToken stop)
    {
        using var client = TestClients.TrustingOnly(root, HttpVersion.Version11);
        int succeeded = 0, failed = 0;
        string detail = string.Empty;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
                request.Headers.ConnectionClose = newConnectionEachRequest;
                using var response = await client.SendAsync(request, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK && body == "ok")
                {
                    succeeded++;
                }
                else
                {
                    failed++;
                    detail = $"status {(int)response.StatusCode}";
                }
            }
            catch (HttpRequestException ex)
            {
                failed++;
                detail = ex.ToString();
            }

            await Task.Delay(newConnectionEachRequest ? 10 : 5, CancellationToken.None);
        }

        return new LoadResult(succeeded, failed, detail);
    }

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (?<ok>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout")]
    private static partial Regex RequestsLine();

    private sealed record LoadResult(int Succeeded, int Failed, string Detail)
    {
        public override string ToString() => $"{Succeeded} succeeded, {Failed} failed {Detail}";
    }
}
