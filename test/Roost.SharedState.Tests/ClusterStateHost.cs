using System.Globalization;
using Roost.Testing;

namespace Roost.SharedState.Tests;

/// <summary>
/// Roost.StateTestHost in cluster mode (<c>--workers N</c>): a primary and N façade workers on one address and port,
/// over one store. Disposing kills the primary and every worker pid it reported.
/// </summary>
internal sealed class ClusterStateHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private ClusterStateHost(TestProcess process, string address, int port)
    {
        Process = process;
        Address = address;
        Port = port;
    }

    public TestProcess Process { get; }

    public string Address { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://{Address}:{Port}/");

    /// <summary>Gets the pids of the workers the primary reported as forked.</summary>
    public int[] ForkedPids => Pids("forked ");

    /// <summary>Gets the pids of the workers the primary reported as listening (ready to be killed without a boot failure).</summary>
    public int[] ListeningPids => Pids("listening ");

    public static async Task<ClusterStateHost> StartAsync(int workers, string stateDirectory, string? redis = null, string address = "127.0.0.1",
        int? port = null, bool respawn = false, bool prepare = true)
    {
        var chosen = port ?? FreePort.Get();
        List<string> arguments =
        [
            "--workers", workers.ToString(CultureInfo.InvariantCulture), "--port", chosen.ToString(CultureInfo.InvariantCulture),
            "--address", address, "--dir", stateDirectory, "--respawn", respawn ? "1" : "0", "--prepare", prepare ? "1" : "0",
        ];
        if (redis is not null)
        {
            arguments.AddRange(["--redis", redis]);
        }

        var process = TestProcess.StartDotnet(RepoPaths.ProjectDll("test", "Roost.StateTestHost"), arguments,
            environment: new Dictionary<string, string?> { ["DOTNET_PROCESSOR_COUNT"] = "2" }, name: $"cluster-{address}");
        var host = new ClusterStateHost(process, address, chosen);
        try
        {
            await process.WaitForLineAsync(line => line.StartsWith("READY ", StringComparison.Ordinal), StartTimeout);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public Uri Url(string path) => new(BaseAddress, path);

    /// <summary>Waits until <paramref name="count"/> lines start with <paramref name="prefix"/>; returns them.</summary>
    public async Task<string[]> WaitForLinesAsync(string prefix, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var lines = Process.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            if (lines.Length >= count)
            {
                return lines;
            }

            if (DateTime.UtcNow > deadline || Process.HasExited)
            {
                throw new TimeoutException($"{lines.Length} of {count} '{prefix}' lines within {timeout} (primary exited: {Process.HasExited}). Output:\n{Process.Output}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var pids = ForkedPids;
        await Process.DisposeAsync();
        foreach (var pid in pids)
        {
            if (ProcessProbe.IsAlive(pid))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // Gone between the check and the kill.
                }
            }
        }
    }

    private int[] Pids(string prefix) =>
        [.. Process.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture))];
}
