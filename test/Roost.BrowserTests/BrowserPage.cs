using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Roost.BrowserTests;

/// <summary>A page in its own browser context, with the console errors and page errors seen so far; disposing closes the context.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly IBrowserContext _context;

    internal BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        var output = TestContext.Current.TestOutputHelper;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Enqueue($"console error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue($"page error: {error}");
        page.RequestFailed += (_, request) => output?.WriteLine($"[browser] request failed: {request.Url} {request.Failure}");
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions, in order.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
