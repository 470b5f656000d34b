using Microsoft.Playwright;
using Roost.Testing;

namespace Roost.BrowserTests;

/// <summary>
/// One headless Debian chromium per test class (an <see cref="IClassFixture{TFixture}"/>), launched by its path: the
/// Playwright driver never downloads a browser here. Without chromium a test skips naming the Debian package (and
/// fails under <c>CI=true</c>, <see cref="ExternalTool"/>).
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>Where Debian installs chromium.</summary>
    public const string DebianPath = "/usr/bin/chromium";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The browser, launched on first use; skips the test when chromium is not installed.</summary>
    public async Task<IBrowser> GetAsync()
    {
        var path = File.Exists(DebianPath) ? DebianPath : ExternalTool.Require("chromium", "chromium");
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_browser is null)
            {
                // Never let the driver fetch browsers, whatever a test environment sets.
                Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = path,
                    Headless = true,
                    Timeout = 60_000,
                });
            }

            return _browser;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A fresh context (no cache, no connections kept from another test) that accepts the self-signed development
    /// chain, and a page in it whose console errors and uncaught exceptions are collected in <see cref="BrowserPage.Errors"/>.
    /// </summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        var browser = await GetAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserPage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _gate.Dispose();
    }
}
