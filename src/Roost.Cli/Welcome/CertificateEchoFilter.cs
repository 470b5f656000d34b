using Microsoft.Extensions.Logging;

namespace Roost.Cli.Welcome;

/// <summary>
/// The logger factory of the welcome page's comparison server: it serves the same certificate files as the main server
/// in the same process, so its certificate lines (loaded, checked, reloaded, resumption: events 1100–1109 and
/// 1150–1199) would repeat the main server's, e.g. two "certificate reloaded" lines per renewal. Those are dropped; the
/// rest goes to <paramref name="inner"/>.
/// </summary>
internal sealed class CertificateEchoFilter(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Filtered(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>Does not dispose <c>inner</c>: the main server's factory.</summary>
    public void Dispose()
    {
    }

    internal static bool IsEcho(EventId eventId) => eventId.Id is (>= 1100 and <= 1109) or (>= 1150 and <= 1199);

    private sealed class Filtered(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEcho(eventId))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
