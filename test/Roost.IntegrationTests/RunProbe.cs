using System.Net;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>
/// Availability probe for the <c>roost run</c> reload tests: two HTTP/2 and two HTTP/1.1 keep-alive loops over TLS
/// (clients that trust only the test root) count answers, failures and the app versions seen.
/// </summary>
internal sealed class RunProbe(TestChain chain, int port) : IDisposable
{
    private readonly HttpClient _h2 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
    private readonly HttpClient _h1 = TestClients.TrustingOnly(chain.Root, HttpVersion.Version11);
    private readonly CancellationTokenSource _stop = new();
    private readonly LoadProbe _probe = new(keepAlive: true);

    public int Ok => _probe.Ok;

    /// <summary>Gets the failed and refused requests (the first 20 errors, as text).</summary>
    public IReadOnlyList<string> Failures => _probe.Errors;

    /// <summary>Gets the app versions that answered ("Hello from HelloApp 2.0.0, pid 123, HTTP/2" → "2.0.0").</summary>
    public IReadOnlyCollection<string> Versions => [.. _probe.Bodies.Keys.Select(body => body.Split(' ')[3].TrimEnd(',')).Distinct()];

    private string Url => $"https://localhost:{port}/";

    public Task RunAsync() =>
        Task.WhenAll(_probe.RunAsync(_h2, Url, concurrency: 2, _stop.Token), _probe.RunAsync(_h1, Url, concurrency: 2, _stop.Token));

    /// <summary>One request on a fresh h2 connection (not counted).</summary>
    public async Task<string> GetAsync()
    {
        using var client = TestClients.TrustingOnly(chain.Root, HttpVersion.Version20);
        return await client.GetStringAsync(Url, TestContext.Current.CancellationToken);
    }

    public async Task StopAsync(Task load)
    {
        await _stop.CancelAsync();
        await load.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _h2.Dispose();
        _h1.Dispose();
        _stop.Dispose();
    }
}
