using System.Globalization;
using System.Text.RegularExpressions;
using Roost.Testing;

namespace Roost.BrowserTests;

/// <summary>The web dashboard on the admin listener of <c>roost serve --workers 2 --admin</c>, in Chromium.</summary>
public sealed partial class DashboardTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const string Token = "dashboard-test-token-0123456789";

    // Verifies, on one instance with --admin-token: without a session the page answers 401 with the login form and
    // the token logs in; the page loads with no console error, the pushed snapshot shows the two workers as ready, the
    // chart moves after requests are made to the serving port; pressing Reload shows the operation's progress and
    // outcome and the generation advance; a worker killed with SIGKILL shows as exited (killed by SIGKILL) and then a
    // new worker in its slot.
    [Fact]
    public async Task Dashboard_InChromium_LogsIn_ShowsTheWorkers_ChartMoves_ReloadAdvancesTheGeneration_AKilledWorkerIsReplaced()
    {
        var curl = ExternalTool.Require("curl", "curl");
        using var dir = new TempDirectory();
        await using var roost = RoostCli.Start(
            ["serve", "--workers", "2", "--no-hot-spare", "--port", "0", "--host", "127.0.0.1", "--name", "shop", "--admin", "127.0.0.1:0", "--admin-token", Token, "--run-dir", Path.Combine(dir.Path, "run")],
            environment: new Dictionary<string, string?> { ["ROOST_DEV_CERT_DIR"] = Path.Combine(dir.Path, "dev-certs") });
        var adminLine = await roost.WaitForLineAsync("Admin listener http://", StartTimeout);
        var admin = AdminPattern().Match(adminLine).Groups[1].Value;
        var banner = await roost.WaitForLineAsync("Roost is serving", StartTimeout);
        var port = int.Parse(PortPattern().Match(banner).Groups[1].Value, CultureInfo.InvariantCulture);

        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        // 1. No session: 401 and the login form; the token logs in (Post/Redirect/Get back to the page).
        var unauthorized = await page.GotoAsync($"http://{admin}/");
        Assert.Equal(401, unauthorized?.Status);
        await page.FillAsync("#token", Token);
        await page.ClickAsync("button[type=submit]");
        await WaitAsync(browser, page.Locator("#workers tr[data-state='ready']").Nth(1), 60_000);
        Assert.Equal(2, await page.Locator("#workers tr[data-worker]").CountAsync());
        var errorsBeforeLogin = browser.Errors.Count(e => e.Contains("401", StringComparison.Ordinal));

        // 2. Traffic moves the chart.
        var load = await TestProcess.RunAsync(curl, ["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code}\n", .. Enumerable.Repeat($"https://127.0.0.1:{port}/healthz", 40)], TimeSpan.FromSeconds(30));
        Assert.Equal(0, load.ExitCode);
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.chartTotal) > 0", null, new() { Timeout = 10_000 });
        Assert.Equal("1", await page.GetAttributeAsync("body", "data-generation"));

        // 3. Reload: progress lines, the outcome, and the generation advances.
        await page.ClickAsync("#reload");
        await WaitAsync(browser, page.Locator("#operation[data-outcome='reloaded']"), 60_000);
        Assert.Contains("is ready", await page.InnerTextAsync("#operationLines"), StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => document.body.dataset.generation === '2'", null, new() { Timeout = 10_000 });
        await WaitAsync(browser, page.Locator("#workers tr[data-state='ready']").Nth(1), 30_000);

        // 4. kill -9 a worker (its pid from the page, i.e. the primary's snapshot): exited, then replaced in its slot.
        var victim = page.Locator("#workers tr[data-state='ready']").First;
        var victimId = await victim.GetAttributeAsync("data-worker");
        var victimSlot = await victim.GetAttributeAsync("data-slot");
        var victimPid = int.Parse((await victim.GetAttributeAsync("data-pid"))!, CultureInfo.InvariantCulture);
        Assert.Contains(victimPid, ProcessProbe.Children(roost.Pid));
        ProcessProbe.Signal(victimPid, 9);

        var exited = page.Locator($"#workers tr[data-worker='{victimId}'][data-state='exited']");
        await WaitAsync(browser, exited, 30_000);
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#workers tr[data-worker='{victimId}']\")?.textContent.includes('SIGKILL')", null, new() { Timeout = 10_000 });
        await WaitAsync(browser, page.Locator($"#workers tr[data-slot='{victimSlot}'][data-state='ready']:not([data-worker='{victimId}'])"), 60_000);
        Assert.Contains("WorkerExited", await page.InnerTextAsync("#events"), StringComparison.Ordinal);

        if (Environment.GetEnvironmentVariable("ROOST_DASHBOARD_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            // For docs/images only (not in CI): some seconds of traffic so the charts have a shape, then the viewport.
            for (var i = 0; i < 15; i++)
            {
                await TestProcess.RunAsync(curl, ["-sk", "--http2", "-o", "/dev/null", .. Enumerable.Repeat($"https://127.0.0.1:{port}/healthz", 10 + (i % 5 * 8))], TimeSpan.FromSeconds(30));
                await Task.Delay(700, TestContext.Current.CancellationToken);
            }

            await page.ScreenshotAsync(new() { Path = screenshot });
        }

        // Only the 401 of the unauthenticated first load may be in the console.
        Assert.Equal(errorsBeforeLogin, browser.Errors.Count);
        Assert.All(browser.Errors, e => Assert.Contains("401", e, StringComparison.Ordinal));
    }

    /// <summary>Waits for <paramref name="locator"/>; on timeout fails with what the page showed and the console's errors.</summary>
    private static async Task WaitAsync(BrowserPage browser, Microsoft.Playwright.ILocator locator, float timeout)
    {
        try
        {
            await locator.WaitForAsync(new() { Timeout = timeout });
        }
        catch (TimeoutException ex)
        {
            var shown = await browser.Page.InnerTextAsync("body");
            Assert.Fail($"{ex.Message}\nThe page showed:\n{shown}\nConsole errors:\n{string.Join('\n', browser.Errors)}");
        }
    }

    [GeneratedRegex(@"Admin listener http://([^/]+)/")]
    private static partial Regex AdminPattern();

    [GeneratedRegex(@"https://[^:]+:(\d+)/")]
    private static partial Regex PortPattern();
}
