using Microsoft.Extensions.Logging;

namespace Roost.Cli;

/// <summary>The roost command's own log lines (ids in <see cref="CliEventIds"/>).</summary>
internal static partial class CliLog
{
    [LoggerMessage(CliEventIds.Stopped, LogLevel.Information, "Stopped", EventName = "Stopped")]
    public static partial void Stopped(ILogger logger);
}
