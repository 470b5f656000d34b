using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Roost.Testing;

/// <summary>Keeps every log entry in memory, so tests can assert on what a server logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(LogLevel.Debug);
        builder.AddProvider(this);
    });

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message)
    {
        /// <summary>Gets the structured values of a source-generated log line (placeholder name → value), empty for plain ones.</summary>
        public IReadOnlyList<KeyValuePair<string, object?>> Properties { get; init; } = [];
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception))
            {
                Properties = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [],
            });
    }
}
