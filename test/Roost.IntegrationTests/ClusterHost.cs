using System.Globalization;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary>Starts the cluster test host or a seed sample as a primary and reads its event lines.</summary>
internal static class ClusterHost
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static TestProcess Start(int port, Dictionary<string, string?>? environment = null, string project = "Roost.ClusterTestHost", string folder = "test")
    {
        var env = new Dictionary<string, string?>(environment ?? [])
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["DOTNET_PROCESSOR_COUNT"] = "2",
        };
        return TestProcess.StartDotnet(RepoPaths.ProjectDll(folder, project), [], environment: env, name: project);
    }

    /// <summary>Waits until at least <paramref name="count"/> lines start with <paramref name="prefix"/>; returns them.</summary>
    public static async Task<string[]> WaitForLinesAsync(TestProcess process, string prefix, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var lines = process.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            if (lines.Length >= count)
            {
                return lines;
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The primary exited with code {process.ExitCode} before {count} '{prefix}' lines. Output:\n{process.Output}");
            }

            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Only {lines.Length} of {count} '{prefix}' lines within {timeout}. Output:\n{process.Output}");
            }
        }
    }

    /// <summary>The pids of workers from "forked {id} {pid}" lines.</summary>
    public static int[] ForkedPids(TestProcess process) =>
        [.. process.Lines.Where(l => l.StartsWith("forked ", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture))];

    /// <summary>Kills leftover workers (reparented ones are outside the primary's process tree).</summary>
    public static void KillAll(IEnumerable<int> pids)
    {
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
}
