using System.Diagnostics;

namespace Roost.Clustering.Internal.Supervision;

/// <summary>Runtime settings the primary gives its workers unless the user's environment already sets them.</summary>
internal sealed partial class Supervisor
{
    /// <summary>
    /// The workers' default runtime knobs (measured in benchmarks/results/cluster-memory.md). A variable already set in
    /// the primary's environment, or in the fork environment, wins; an empty value there disables a default.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> WorkerRuntimeDefaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // A 2 MiB gen0 budget instead of one sized from the L3 cache: gen0 collections run sooner, so the heap a
        // worker grows under load stays smaller.
        ["DOTNET_GCgen0size"] = "0x200000",
    };

    private static void ApplyWorkerDefaults(ProcessStartInfo info, IReadOnlyDictionary<string, string?>? forkEnvironment)
    {
        foreach (var (name, value) in WorkerRuntimeDefaults)
        {
            if (info.Environment.TryGetValue(name, out var existing) && existing is not null)
            {
                if (existing.Length == 0)
                {
                    info.Environment.Remove(name);
                }

                continue;
            }

            if (forkEnvironment?.ContainsKey(name) == true)
            {
                continue;
            }

            info.Environment[name] = value;
        }
    }
}
