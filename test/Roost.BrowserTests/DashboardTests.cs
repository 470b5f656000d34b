using System.Globalization;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.BrowserTests;

/// <summary>The web dashboard on the admin listener of <c>roost serve --workers 2 --admin</c>, in Chromium.</summary>
public sealed partial class DashboardTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Verifies: the page loads with no console error, the pushed snapshot shows the two workers as ready, and the chart
    // and the totals move after requests are made to the serving port.
    [Fact]
    public async Task Dashboard_InChromium_ShowsTheWorkersAndTheChartMovesWithTraffic()
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var dir = new TempDirectory();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "2", "--no-hot-spare", "--port", "0", "--host", "127.0.0.1", "--admin", "127.0.0.1:0", "--run-dir", Path.Combine(dir.Path, "run")],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = Path.Combine(dir.Path, "dev-certs") });
        var adminLine = await roost.WaitForLineAsync("Admin listener http://", StartTimeout);
        var admin = AdminPattern().Match(adminLine).Groups[1].Value;
        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value, CultureInfo.InvariantCulture);

        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"http://{admin}/");
        await page.Locator("#workers tr[data-state='ready']").Nth(1).WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal(2, await page.Locator("#workers tr[data-worker]").CountAsync());

        var load = await TestProcess.RunAsync(curl, ["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code}\n", .. Enumerable.Repeat($"https://127.0.0.1:{port}/healthz", 40)], TimeSpan.FromSeconds(30));
        Assert.Equal(0, load.ExitCode);
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.chartTotal) > 0", null, new() { Timeout = 10_000 });

        Assert.Empty(browser.Errors);
        if (Environment.GetEnvironmentVariable("ROOST_DASHBOARD_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        }
    }

    [GeneratedRegex(@"Admin listener http://([^/]+)/")]
    private static partial Regex AdminPattern();

    [GeneratedRegex(@"https://[^:]+:(\d+)/")]
    private static partial Regex PortPattern();
}
