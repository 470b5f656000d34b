using System.Globalization;
using System.Net;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>roost.json and ROOST_* variables driving a real <c>roost serve</c> (primary and workers).</summary>
[Trait("Category", "Slow")]
public sealed class ConfigFileTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Verifies: ./roost.json in the working directory is read without --config, its relative certificate paths are
    // relative to it, a ROOST_* variable overrides it (2 workers, not the file's 1), the workers (which run the same
    // command line in the same folder) serve h2 with that certificate, and SIGTERM stops with 0.
    [Fact]
    public async Task Serve_RoostJsonInWorkingDirectory_AndVariable_DriveThePrimaryAndTheWorkers()
    {
        using var chain = TestCertificates.CreateChain();
        using var workspace = new TempDirectory("roost-config");
        Directory.CreateDirectory(workspace.File("certs"));
        File.Copy(chain.LeafPath, workspace.File("certs/site.pem"));
        File.Copy(chain.KeyPath, workspace.File("certs/site.key"));
        File.Copy(chain.IntermediatePath, workspace.File("certs/intermediate.pem"));
        var port = FreePort.Get();
        workspace.Write("roost.json", $$"""
            {
              // as an operator would write it
              "port": {{port.ToString(CultureInfo.InvariantCulture)}},
              "host": "127.0.0.1",
              "workers": 1,
              "cert": "certs/site.pem",
              "key": "certs/site.key",
              "ca": ["certs/intermediate.pem"],
              "shutdown-timeout": 10,
            }
            """);

        await using var roost = RoostCli.Start(["serve"], workspace.Path, new Dictionary<string, string?> { ["ROOST_WORKERS"] = "2" });
        await roost.WaitForLineAsync($"with 2 worker(s)", Timeout);
        using var h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        using var response = await GetWhenReadyAsync(h2, $"https://localhost:{port}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        roost.Signal(15);
        Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
    }

    // Verifies: a bad file and a bad variable are reported together, naming the file and key or the variable, before
    // anything starts (exit 2, nothing listening).
    [Fact]
    public async Task Serve_BadFileAndVariable_EveryProblemBeforeAnythingStarts()
    {
        using var workspace = new TempDirectory("roost-config");
        workspace.Write("site.json", """{ "workers": -1, "shutdown_timeout": 5 }""");

        var (code, output) = await RoostCli.RunAsync(["serve", "--config", "site.json"], Timeout, workspace.Path, new Dictionary<string, string?> { ["ROOST_PORT"] = "http" });

        Assert.Equal(2, code);
        Assert.Contains("error: site.json: workers: must be auto, 0 or 1..1024; got -1.", output, StringComparison.Ordinal);
        Assert.Contains("error: site.json: shutdown_timeout: unknown setting; did you mean shutdown-timeout?", output, StringComparison.Ordinal);
        Assert.Contains("error: ROOST_PORT: must be a port from 0 to 65535 (0 picks a free port); got 'http'.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("serving", output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetWhenReadyAsync(HttpClient client, string url)
    {
        // The banner is printed when the workers were forked; the first may still be starting.
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return await client.GetAsync(url, Ct);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }
    }
}
