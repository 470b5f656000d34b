using Microsoft.Extensions.Logging;

namespace Roost.Clustering.Internal.InWorker;

/// <summary>
/// Wraps the application's logger factory inside a worker so that every line of its servers (Roost.Server and
/// Kestrel) starts with the worker's identity, <c>[worker 3 (pid 4711, generation 2)]</c>, as the primary's own lines
/// name workers. The structured state is passed through unchanged; only the formatted message gets the prefix.
/// </summary>
internal sealed class WorkerLoggerFactory(ILoggerFactory inner, string prefix) : ILoggerFactory
{
    public static string Prefix(int id, int pid, int generation) => $"[worker {id} (pid {pid}, generation {generation})] ";

    public ILogger CreateLogger(string categoryName) => new PrefixLogger(inner.CreateLogger(categoryName), prefix);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The application's factory is the application's to dispose.
    }

    private sealed class PrefixLogger(ILogger inner, string prefix) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, (s, e) => prefix + formatter(s, e));
    }
}
