using Microsoft.Extensions.Logging;

namespace Roost.Clustering.Internal;

/// <summary>
/// The cluster's logger when the application configured none: one synchronous line per entry on stderr, Warning and
/// above, so restarts and failures are never silent (Node's cluster prints nothing; a supervisor should) and a
/// message written just before the process exits is not lost in a background queue.
/// </summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var level = logLevel switch
        {
            LogLevel.Critical => "crit",
            LogLevel.Error => "fail",
            LogLevel.Warning => "warn",
            LogLevel.Information => "info",
            _ => "dbug",
        };
        var line = $"roost[{Environment.ProcessId}] {level}: {formatter(state, exception)}";
        Console.Error.WriteLine(exception is null ? line : line + Environment.NewLine + exception);
    }
}
