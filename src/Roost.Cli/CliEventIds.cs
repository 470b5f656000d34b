namespace Roost.Cli;

/// <summary>
/// Event ids of the roost command: the range 3000–3099 (CONTRIBUTING.md §8.2), in id order, never reused.
/// </summary>
internal static class CliEventIds
{
    public const int WelcomeComparisonFailed = 3000;
    public const int Stopped = 3001;
}
