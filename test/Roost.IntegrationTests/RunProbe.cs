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
    private readonly HashSet<string> _versions = [];
    private int _ok;

    public int Ok => _ok;

    public List<string> Failures { get; } = [];

    public IReadOnlyCollection<string> Versions
    {
        get
        {
            lock (_versions)
            {
                return [.. _versions];
            }
        }
    }

    private string Url => $"https://localhost:{port}/";

    public Task RunAsync() =>
        Task.WhenAll(Enumerable.Range(0, 2).SelectMany(_ => new[] { Task.Run(() => LoopAsync(_h2)), Task.Run(() => LoopAsync(_h1)) }));

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

    private async Task LoopAsync(HttpClient client)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(Url, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _ok);
                    lock (_versions)
                    {
                        // "Hello from HelloApp 2.0.0, pid 123, HTTP/2"
                        _versions.Add(body.Split(' ')[3].TrimEnd(','));
                    }

                    continue;
                }

                Record($"status {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                Record(ex.InnerException?.Message ?? ex.Message);
            }
            catch (TaskCanceledException)
            {
                Record("timeout");
            }
        }
    }

    private void Record(string failure)
    {
        lock (Failures)
        {
            Failures.Add(failure);
        }
    }
}
