using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.BrowserTests;

/// <summary>
/// The welcome page of <c>roost serve</c> in Chromium: its HTTP/2 waterfall and the HTTP/1.1 one from the comparison
/// port, checked against what the browser's own Resource Timing reports (protocol and connections opened).
/// </summary>
public sealed partial class WelcomePageTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // What the page's script sees, straight from Resource Timing (not from the page's own drawing).
    private const string EntriesScript = """
        origin => [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
          .filter(e => e.name.startsWith(origin + "/"))
          .map(e => ({ path: new URL(e.name).pathname, protocol: e.nextHopProtocol, newConnection: e.connectEnd > e.connectStart }))
        """;

    /// <summary>
    /// A clustered roost serve (the worker gets the comparison port from the primary, as users run it): the page and
    /// its three stylesheets come over h2 on one connection; the button loads them over http/1.1 on more than one;
    /// the page draws both and logs no console error.
    /// </summary>
    [Fact]
    public async Task WelcomePage_InChromium_ShowsOneH2ConnectionThenSeveralHttp11Connections()
    {
        using var dir = new TempDirectory();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "1", "--no-hot-spare", "--port", "0", "--host", "127.0.0.1"],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = Path.Combine(dir.Path, "dev-certs") });
        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value, CultureInfo.InvariantCulture);
        await roost.WaitForLineAsync(line => line.Contains("is ready", StringComparison.Ordinal), StartTimeout);

        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        var origin = $"https://127.0.0.1:{port}";
        await page.GotoAsync(origin + "/");
        await page.Locator("#waterfall-main[data-connections]").WaitForAsync();

        var h2 = await EntriesAsync(page, origin);
        Assert.Equal(["/", "/assets/1.css", "/assets/2.css", "/assets/3.css"], h2.Select(e => e.Path).Order());
        Assert.All(h2, e => Assert.Equal("h2", e.Protocol));
        Assert.Equal(1, h2.Count(e => e.NewConnection));
        Assert.Equal("h2", await page.GetAttributeAsync("#waterfall-main", "data-protocols"));
        Assert.Equal("1", await page.GetAttributeAsync("#waterfall-main", "data-connections"));

        var comparisonPort = int.Parse((await page.GetAttributeAsync("body", "data-h1-port"))!, CultureInfo.InvariantCulture);
        Assert.NotEqual(0, comparisonPort);
        Assert.NotEqual(port, comparisonPort);
        await page.ClickAsync("#load-h1");
        await page.Locator("#waterfall-h1[data-connections]").WaitForAsync();

        var h1 = await EntriesAsync(page, $"https://127.0.0.1:{comparisonPort}");
        Assert.Equal(["/", "/assets/1.css", "/assets/2.css", "/assets/3.css"], h1.Select(e => e.Path).Order());
        Assert.All(h1, e => Assert.Equal("http/1.1", e.Protocol));
        Assert.True(h1.Count(e => e.NewConnection) > 1, $"HTTP/1.1 opened {h1.Count(e => e.NewConnection)} connection(s) for {h1.Length} requests; expected more than one.");
        Assert.Equal("http/1.1", await page.GetAttributeAsync("#waterfall-h1", "data-protocols"));
        Assert.Equal(h1.Count(e => e.NewConnection).ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#waterfall-h1", "data-connections"));
        Assert.Equal(4, await page.Locator("#waterfall-h1 .row").CountAsync());

        Assert.Empty(browser.Errors);
    }

    private static async Task<Entry[]> EntriesAsync(Microsoft.Playwright.IPage page, string origin)
    {
        var json = await page.EvaluateAsync<JsonElement>(EntriesScript, origin);
        return [.. json.EnumerateArray().Select(e => new Entry(e.GetProperty("path").GetString()!, e.GetProperty("protocol").GetString()!, e.GetProperty("newConnection").GetBoolean()))];
    }

    [GeneratedRegex(@"https://[^:]+:(\d+)/")]
    private static partial Regex PortPattern();

    private sealed record Entry(string Path, string Protocol, bool NewConnection);
}
