using Microsoft.Extensions.Logging;

namespace Roost.Cli;

/// <summary>Console logging for the CLI's servers.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(string format) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(LogLevel.Information);

        // Kestrel's per-connection noise (bad handshakes from scanners, resets) is Debug; keep its warnings.
        builder.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (format == "json")
        {
            builder.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
    });

    /// <summary>
    /// The logging of a cluster primary (<c>roost serve</c>/<c>roost run</c> with workers). The text format is written
    /// by <see cref="PrimaryConsoleLogger"/>: the same lines as <see cref="Create"/>'s, without the logging pipeline
    /// (dependency injection, options, configuration, a queue thread: about 3 MB of a primary's resident memory,
    /// benchmarks/results/cluster-memory.md). The JSON format keeps the full console logger.
    /// </summary>
    /// <remarks>
    /// The primary shares stdout with its workers, so the console first gets line-atomic writers (one write(2) per
    /// line, <see cref="Cluster.UseLineAtomicConsole"/>) before a logger captures <see cref="Console.Out"/>.
    /// </remarks>
    public static ILoggerFactory CreateForPrimary(string format)
    {
        Cluster.UseLineAtomicConsole();
        return format == "json" ? Create(format) : new PrimaryConsoleLoggerFactory(Console.Out, colors: !Console.IsOutputRedirected);
    }
}

/// <summary>The factory of <see cref="PrimaryConsoleLogger"/>s (no providers: <see cref="AddProvider"/> is not supported).</summary>
internal sealed class PrimaryConsoleLoggerFactory(TextWriter output, bool colors) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new PrimaryConsoleLogger(categoryName, output, colors);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The primary's console logging takes no providers.");

    public void Dispose()
    {
    }
}

/// <summary>
/// One synchronous line per entry, Information and above, in the simple console format the CLI uses elsewhere
/// (<c>HH:mm:ss info: Category[event id] message</c>, single line; the level colored on a terminal).
/// </summary>
internal sealed class PrimaryConsoleLogger(string category, TextWriter output, bool colors) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        if (exception is not null)
        {
            message = message.Length == 0 ? exception.ToString() : message + " " + exception;
        }

        var line = $"{DateTime.Now:HH:mm:ss} {Level(logLevel)}: {category}[{eventId.Id}] {message.ReplaceLineEndings(" ")}{Environment.NewLine}";
        lock (output)
        {
            output.Write(line);
            output.Flush();
        }
    }

    private string Level(LogLevel level)
    {
        var (text, color) = level switch
        {
            LogLevel.Information => ("info", "\x1B[40m\x1B[32m"),
            LogLevel.Warning => ("warn", "\x1B[40m\x1B[1m\x1B[33m"),
            LogLevel.Error => ("fail", "\x1B[41m\x1B[30m"),
            _ => ("crit", "\x1B[41m\x1B[1m\x1B[37m"),
        };
        return colors ? $"{color}{text}\x1B[39m\x1B[22m\x1B[49m" : text;
    }
}
