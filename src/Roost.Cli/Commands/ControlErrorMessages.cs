namespace Roost.Cli.Commands;

/// <summary>The messages of the control commands' own argument checks (what the primary answers is its own).</summary>
internal static class ControlErrorMessages
{
    public static string NameInvalid(string name) =>
        $"Instance name '{name}' (option --name) is not valid: use 1 to 100 letters, digits, '.', '_' or '-'.";

    public static string ScaleArgumentInvalid(string value) =>
        $"Scale value '{value}' is not valid: give a worker count (e.g. 4), or '+N' / '-N' to add or remove workers.";

    // The wording of the primary's own answer to an out-of-range scale (a rejected scale), checked here before connecting.
    public static string ScaleOutOfRange(int workers, int max) => workers <= 0
        ? $"Cannot scale to {workers} worker(s): the count must be between 1 and {max}. To stop every worker, stop the cluster ('roost stop' or Cluster.StopAsync)."
        : $"Cannot scale to {workers} worker(s): the count must be between 1 and {max}. Ask for {max} or fewer.";
}
